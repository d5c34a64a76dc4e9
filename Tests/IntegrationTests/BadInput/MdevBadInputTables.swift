import SysfsTree
import SystemPackage

/// The kernel's answers for mdev `create` and `remove` (`drivers/vfio/mdev/mdev_sysfs.c`,
/// `lib/uuid.c`) on the default host's GVT-g parent.
enum MdevBadInputTables {
    static let parent = "/class/mdev_bus/0000:00:02.0/mdev_supported_types"
    static let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
    static let other = "0b2d5c6e-1f0a-4d3b-9c8e-7a6b5c4d3e2f"

    static var all: [BadInputTable] { [create, createWhenFull, remove] }

    static let probes: [Probe] = [
        .listing("/bus/mdev/devices"), .listing("/kernel/iommu_groups"),
        .content(parent + "/i915-GVTg_V5_4/available_instances"), .content(parent + "/i915-GVTg_V5_8/available_instances"),
        .listing(parent + "/i915-GVTg_V5_8/devices"),
    ]

    static let noDashes = String(uuid.filter { $0 != "-" })
    static let short = String(uuid.dropLast())
    static let badHex = "g" + String(uuid.dropFirst())

    static let createRows: [BadInputRow] = [
        BadInputRow("", .success(0)),
        .accepted(uuid), .accepted(uuid + "\n"), .accepted(uuid.uppercased()), .accepted(uuid + "x"),
        .accepted(uuid + " "), .accepted(uuid + "\u{0}"),
        .refused(other, .fileExists), .refused(other.uppercased() + "\n", .fileExists),
        .refused(short, .invalidArgument), .refused(uuid + "\n\n", .invalidArgument),
        .refused(" " + uuid, .invalidArgument), .refused("{" + uuid + "}", .invalidArgument),
        .refused(noDashes, .invalidArgument), .refused(badHex, .invalidArgument),
        .refused("83b8f4f2-509f3-82f-3c1e-e6bfe0fa1001", .invalidArgument),
        .refused("83b8f4f2-509f-382f-3c1e-e6bf\u{0}0fa1001", .invalidArgument),
        .refused(Array(short.utf8) + [0xff], .invalidArgument),
        .refused("1", .invalidArgument), .refused("\n", .invalidArgument),
        .repeated("a", 4096, .failure(.invalidArgument)), .repeated("a", 8192, .failure(.invalidArgument)),
    ]

    /// `create_store`: 36 or 37 bytes (EINVAL), `uuid_is_valid` on the first 36
    /// (EINVAL), a duplicate anywhere (EEXIST), then the pool (ENOSPC).
    static let create = BadInputTable(
        attribute: "create", path: parent + "/i915-GVTg_V5_8/create",
        setup: [(parent + "/i915-GVTg_V5_8/create", other)],
        probes: probes,
        restore: [("/bus/mdev/devices/\(uuid)/remove", "1")],
        rows: createRows)

    /// With the pool used up: the form is checked first, then duplicates, then capacity.
    static let createWhenFull = BadInputTable(
        attribute: "create (pool full)", path: parent + "/i915-GVTg_V5_4/create",
        setup: [(parent + "/i915-GVTg_V5_4/create", other)],
        probes: probes, restore: [],
        rows: [
            BadInputRow("", .success(0)),
            .refused(uuid, .noSpace), .refused(uuid + "\n", .noSpace), .refused(other, .fileExists),
            .refused("x", .invalidArgument), .refused(short, .invalidArgument),
        ])

    /// `remove_store`: any kstrtoul error (overflow included) EINVAL; 0 a no-op; else the device goes.
    static let remove = BadInputTable(
        attribute: "remove (mdev)", path: "/bus/mdev/devices/\(uuid)/remove",
        setup: [(parent + "/i915-GVTg_V5_8/create", uuid)],
        probes: probes,
        restore: [(parent + "/i915-GVTg_V5_8/create", uuid)],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("1"), .accepted("1\n"), .accepted("0x1"), .accepted("+1"), .accepted("01"), .accepted("2"),
            .repeated("0", 4095, then: "1", .success(4096)),
            .unchanged("0"), .unchanged("0\n"), .unchanged("00"), .unchanged("0x0"), .unchanged("+0"),
        ] + PCIBadInputTables.malformedNumbers(.invalidArgument))
}
