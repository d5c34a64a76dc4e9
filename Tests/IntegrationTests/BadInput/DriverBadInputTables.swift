import SysfsTree
import SystemPackage

/// The three drivers' writable attributes on the default host. GVT's
/// `migration_version` follows the v5 patch (`sysfs_streq` against its own
/// string); the NVMe and QAT strings and `remote_url` follow the project's
/// documented rules (Drivers/README.md); `qat/state` and `qat/cfg_services`
/// follow `adf_sysfs.c`. The JSON and `compatible_*` flavours are read-only.
enum DriverBadInputTables {
    static let gvtType = "/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4"
    static let gvtVersion = "8086-591d-GVTg_V5_4-00000001"
    static let nvmeVF = "/bus/pci/devices/0000:3b:00.1"
    static let nvmeURL = "nvme+tcp://192.0.2.10:4420/nqn.2014-08.com.example:pool0"
    static let qat = "/bus/pci/devices/0000:f3:00.0"
    static let qatVersion = "qat-gen4-8086-4940-1.0.0-0403b20f-071c-5"
    static let uuid = MdevBadInputTables.uuid

    static var all: [BadInputTable] {
        [gvtTypeVersion, gvtDeviceVersion, nvmeVersion, qatPFVersion, readOnlyFlavours, remoteURL, qatState,
         qatStateInUse, cfgServicesWhileUp, cfgServicesWhileDown]
    }

    /// Rows any migration_version gets: its own string passes, bad input is EINVAL.
    static func migrationVersionRows(own: String) -> [BadInputRow] {
        [
            BadInputRow("", .success(0)),
            .accepted(own), .accepted(own + "\n"), .accepted(own + "\u{0}junk"),
            .refused(own + "\n\n", .invalidArgument), .refused(" " + own, .invalidArgument),
            .refused(own + " ", .invalidArgument), .refused(own.uppercased(), .invalidArgument),
            .refused(String(own.dropLast()), .invalidArgument), .refused(own + "-1", .invalidArgument),
            .refused("\n", .invalidArgument), .refused("garbage", .invalidArgument),
            .refused(Array(own.utf8) + [0xff], .invalidArgument), .refused([0xff, 0xfe], .invalidArgument),
            .repeated("a", 4096, .failure(.invalidArgument)), .repeated("a", 8192, .failure(.invalidArgument)),
        ]
    }

    /// GVT v5 `migration_version` on a type: exact match modulo one newline; any other type, device or version EINVAL.
    static let gvtTypeVersion = BadInputTable(
        attribute: "migration_version (GVT type)", path: gvtType + "/migration_version",
        probes: [.content(gvtType + "/migration_version"), .content(gvtType + "/available_instances")],
        restore: [],
        rows: migrationVersionRows(own: gvtVersion) + [
            .refused("8086-591d-GVTg_V5_8-00000001", .invalidArgument),
            .refused("8086-591d-GVTg_V5_4-00000002", .invalidArgument),
            .refused("8086-193b-GVTg_V5_4-00000001", .invalidArgument),
            .refused("8086-591d-i915-GVTg_V5_4-00000001", .invalidArgument),
            .refused("00028086-591d-i915-GVTg_V5_4", .invalidArgument),
            .refused("8086-591d-GVTg_V5_4-1", .invalidArgument),
        ])

    /// The same test on a vGPU.
    static let gvtDeviceVersion = BadInputTable(
        attribute: "migration_version (GVT vGPU)", path: "/bus/mdev/devices/\(uuid)/migration_version",
        setup: [(gvtType + "/create", uuid)],
        probes: [.content("/bus/mdev/devices/\(uuid)/migration_version"), .listing("/bus/mdev/devices")],
        restore: [],
        rows: migrationVersionRows(own: gvtVersion))

    /// NVMe VF: the driver version is judged as a semantic version, the URL must be equal.
    static let nvmeVersion = BadInputTable(
        attribute: "migration_version (NVMe VF)", path: nvmeVF + "/migration_version",
        setup: [("/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "1")],
        probes: [.content(nvmeVF + "/migration_version"), .content(nvmeVF + "/remote_url")],
        restore: [],
        rows: migrationVersionRows(own: "nvme-144d-a824-1.0.0-" + nvmeURL) + [
            .accepted("nvme-144d-a824-1.0.0-" + nvmeURL + "\n"),
            .accepted("nvme-144d-a824-1.0.7-" + nvmeURL), .refused("nvme-144d-a824-0.9.3-" + nvmeURL, .invalidArgument),
            .refused("nvme-144d-a824-1.1.0-" + nvmeURL, .invalidArgument),
            .refused("nvme-144d-a824-2.0.0-" + nvmeURL, .invalidArgument),
            .refused("nvme-144d-a824-1.0.0-nvme+tcp://192.0.2.11:4420/nqn.2014-08.com.example:pool0", .invalidArgument),
            .refused("nvme-144d-a825-1.0.0-" + nvmeURL, .invalidArgument),
            .refused("nvme-144d-a824-1.0-" + nvmeURL, .invalidArgument),
        ])

    /// QAT PF, as qat_vfio_pci checks: same generation and device, capabilities a superset, same rings.
    static let qatPFVersion = BadInputTable(
        attribute: "migration_version (QAT PF)", path: qat + "/migration_version",
        probes: [.content(qat + "/migration_version"), .content(qat + "/qat/state")],
        restore: [],
        rows: migrationVersionRows(own: qatVersion) + [
            .accepted("qat-gen4-8086-4940-1.0.3-0403b20f-071c-5"),
            .refused("qat-gen4-8086-4940-0.9.0-0403b20f-071c-5", .invalidArgument),
            .accepted("qat-gen4-8086-4940-1.0.0-0403b20f-071c-4"),
            .refused("qat-gen4-8086-4940-1.0.0-0403b20f-071c-6", .invalidArgument),
            .refused("qat-gen4-8086-4940-1.1.0-0403b20f-071c-5", .invalidArgument),
            .refused("qat-gen6-8086-4940-1.0.0-0403b20f-071c-5", .invalidArgument),
            .refused("qat-gen4-8086-4942-1.0.0-0403b20f-071c-5", .invalidArgument),
            .refused("qat-gen4-8086-4940-1.0.0-0403b20f-0c17-5", .invalidArgument),
            .refused("qat-gen4-8086-4940-1.0.0-ffffffff-071c-5", .invalidArgument),
        ])

    /// The JSON and compatible_* flavours are 0444: kernfs refuses the open for writing, even to root.
    static let readOnlyFlavours = BadInputTable(
        attribute: "migration_compatibility / compatible_* (0444)", path: gvtType + "/migration_compatibility",
        probes: [.content(gvtType + "/migration_compatibility")],
        restore: [],
        rows: [
            .refused("", .permissionDenied), .refused("{}", .permissionDenied),
            .refused(gvtVersion, .permissionDenied), .refused([0xff], .permissionDenied),
        ])

    /// `remote_url`: `nvme+tcp://` or `nvme+rdma://`, host[:port 1-65535], `/nqn.…` of at most 223 bytes,
    /// printable ASCII without spaces or commas; one trailing newline; anything else EINVAL.
    static let remoteURL = BadInputTable(
        attribute: "remote_url (NVMe VF)", path: nvmeVF + "/remote_url",
        setup: [("/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "1")],
        probes: [.content(nvmeVF + "/remote_url"), .content(nvmeVF + "/migration_version")],
        restore: [(nvmeVF + "/remote_url", nvmeURL)],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("nvme+tcp://10.0.0.1:4420/nqn.2014-08.org.example:vf1",
                      shows: "nvme+tcp://10.0.0.1:4420/nqn.2014-08.org.example:vf1\n"),
            .accepted("nvme+rdma://[fe80::1]/nqn.x\n", shows: "nvme+rdma://[fe80::1]/nqn.x\n"),
            .accepted("nvme+tcp://storage.example/nqn.x\u{0}junk", shows: "nvme+tcp://storage.example/nqn.x\n"),
            .accepted("nvme+tcp://h/nqn." + String(repeating: "n", count: 219)),
            .refused("nvme+tcp://h/nqn." + String(repeating: "n", count: 220), .invalidArgument),
            .refused("nvme+tcp://h:0/nqn.x", .invalidArgument), .refused("nvme+tcp://h:65536/nqn.x", .invalidArgument),
            .refused("nvme+tcp://h:04420/nqn.x", .invalidArgument), .refused("http://h/nqn.x", .invalidArgument),
            .refused("nvme+tcp://h/", .invalidArgument), .refused("nvme+tcp://h/nqn.x/y", .invalidArgument),
            .refused("nvme+tcp:///nqn.x", .invalidArgument), .refused("nvme+tcp://h /nqn.x", .invalidArgument),
            .refused("nvme+tcp://h/nqn.x\n\n", .invalidArgument), .refused(" nvme+tcp://h/nqn.x", .invalidArgument),
            .refused("\n", .invalidArgument), .refused([0xff], .invalidArgument),
            .repeated("a", 4096, .failure(.invalidArgument)), .repeated("a", 8192, .failure(.invalidArgument)),
        ])

    /// `qat/state` with no VFs: `up`/`down` by `sysfs_streq`, already-there is no error; else EINVAL.
    static let qatState = BadInputTable(
        attribute: "qat/state", path: qat + "/qat/state",
        probes: [.content(qat + "/qat/state"), .content(qat + "/qat/cfg_services")],
        restore: [(qat + "/qat/state", "up")],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("up", shows: "up\n"), .accepted("up\n", shows: "up\n"), .accepted("down", shows: "down\n"),
            .accepted("down\n", shows: "down\n"), .accepted("up\u{0}junk", shows: "up\n"),
            .refused("Up", .invalidArgument), .refused(" up", .invalidArgument), .refused("up ", .invalidArgument),
            .refused("up\n\n", .invalidArgument), .refused("1", .invalidArgument), .refused("\n", .invalidArgument),
            .refused([0xff], .invalidArgument), .repeated("a", 4096, .failure(.invalidArgument)),
        ])

    /// With VFs enabled the device is in use: EBUSY before the value is even looked at.
    static let qatStateInUse = BadInputTable(
        attribute: "qat/state (VFs enabled)", path: qat + "/qat/state",
        setup: [(qat + "/sriov_numvfs", "1")],
        probes: [.content(qat + "/qat/state"), .content(qat + "/sriov_numvfs")],
        restore: [],
        rows: [
            BadInputRow("", .success(0)),
            .refused("down", .resourceBusy), .refused("up", .resourceBusy), .refused("garbage", .resourceBusy),
        ])

    /// `cfg_services_store`: the name by `sysfs_match_string` (EINVAL), then EINVAL while the device is up.
    static let cfgServicesWhileUp = BadInputTable(
        attribute: "qat/cfg_services (up)", path: qat + "/qat/cfg_services",
        probes: [.content(qat + "/qat/cfg_services"), .content(qat + "/qat/state")],
        restore: [],
        rows: [
            BadInputRow("", .success(0)),
            .refused("dc", .invalidArgument), .refused("sym;asym", .invalidArgument),
            .refused("garbage", .invalidArgument),
        ])

    static let cfgServicesWhileDown = BadInputTable(
        attribute: "qat/cfg_services (down)", path: qat + "/qat/cfg_services",
        setup: [(qat + "/qat/state", "down")],
        probes: [.content(qat + "/qat/cfg_services"), .content(qat + "/qat/state")],
        restore: [(qat + "/qat/cfg_services", "sym;asym")],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("dc", shows: "dc\n"), .accepted("asym;sym\n", shows: "asym;sym\n"), .accepted("sym", shows: "sym\n"),
            .accepted("dc\u{0}x", shows: "dc\n"),
            .refused("DC", .invalidArgument), .refused("sym;asym;dc", .invalidArgument), .refused("sym,asym", .invalidArgument),
            .refused(" dc", .invalidArgument), .refused("dc\n\n", .invalidArgument), .refused(";", .invalidArgument),
            .refused("\n", .invalidArgument), .refused([0xff], .invalidArgument),
            .repeated("a", 4096, .failure(.invalidArgument)),
        ])
}
