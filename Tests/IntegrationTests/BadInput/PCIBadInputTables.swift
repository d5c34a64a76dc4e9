import SysfsTree
import SystemPackage

/// The kernel's answers for the PCI and SR-IOV attributes of the default host
/// (current kernels: `drivers/pci/pci-sysfs.c`, `drivers/pci/iov.c`,
/// `lib/kstrtox.c`, `drivers/base/bus.c`, `lib/kobject_uevent.c`).
enum PCIBadInputTables {
    static let gpu = "/bus/pci/devices/0000:00:02.0"
    static let nvme = "/bus/pci/devices/0000:3b:00.0"
    static let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    static var all: [BadInputTable] {
        [sriovNumVFs, sriovDriversAutoprobe, numaNode, enableWhileBound, enableUnbound, driverOverride, reset,
         uevent, bind, unbind]
    }

    /// Rows every kstrtox-parsed attribute gets, with the answer for a parse error.
    static func malformedNumbers(_ error: Errno) -> [BadInputRow] {
        [
            .repeated("1", 4095, .failure(error)), .repeated("1", 4096, .failure(error)),
            .repeated("1", 8192, .failure(error)),
            .refused([0xff], error), .refused([0x31, 0xff], error), .refused([0xc3, 0x28], error),
            .refused(" 1", error), .refused("1 ", error), .refused("\t1", error), .refused("1\t", error),
            .refused("1\r\n", error), .refused("-1", error), .refused("+", error), .refused("0x", error),
            .refused("0x1g", error), .refused("08", error), .refused("0o1", error), .refused("1e3", error),
            .refused("18446744073709551616", error), .refused("99999999999999999999999", error),
            .refused("1\n\n", error), .refused("\n", error), .refused("\n1", error), .refused("\u{0}1", error),
            .refused("one", error),
        ]
    }

    /// `sriov_numvfs_store`: kstrtou16 (any error EINVAL), > TotalVFs ERANGE, same value a no-op.
    static let sriovNumVFs = BadInputTable(
        attribute: "sriov_numvfs", path: nvme + "/sriov_numvfs",
        probes: [.content(nvme + "/sriov_numvfs"), .listing("/bus/pci/devices"), .listing(nvme)],
        restore: [(nvme + "/sriov_numvfs", "0")],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("1", shows: "1\n"), .accepted("1\n", shows: "1\n"), .accepted("+1", shows: "1\n"),
            .accepted("0x1", shows: "1\n"), .accepted("0X2", shows: "2\n"), .accepted("01", shows: "1\n"),
            .accepted("010", shows: "8\n"), .accepted("32", shows: "32\n"), .accepted("0", shows: "0\n"),
            .accepted("1\u{0}junk", shows: "1\n"),
            .repeated("0", 4096, .success(4096), shows: "0\n"),
            .repeated("0", 4095, then: "\n", .success(4096), shows: "0\n"),
            .repeated("0", 8192, .success(4096), shows: "0\n"),
            .refused("33", .outOfRange), .refused("65535", .outOfRange), .refused("65536", .invalidArgument),
            .refused("-0", .invalidArgument),
        ] + malformedNumbers(.invalidArgument))

    /// `sriov_drivers_autoprobe_store`: kstrtobool, first character only.
    static let sriovDriversAutoprobe = BadInputTable(
        attribute: "sriov_drivers_autoprobe", path: nvme + "/sriov_drivers_autoprobe",
        probes: [.content(nvme + "/sriov_drivers_autoprobe")],
        restore: [(nvme + "/sriov_drivers_autoprobe", "1")],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("0", shows: "0\n"), .accepted("1", shows: "1\n"), .accepted("n", shows: "0\n"),
            .accepted("Y\n", shows: "1\n"), .accepted("no", shows: "0\n"), .accepted("yes", shows: "1\n"),
            .accepted("off", shows: "0\n"), .accepted("ON", shows: "1\n"), .accepted("false", shows: "0\n"),
            .accepted("t", shows: "1\n"), .refused("disabled", .invalidArgument), .refused("e", .invalidArgument),
            .accepted("1 ", shows: "1\n"), .accepted("10", shows: "1\n"), .accepted("0x1", shows: "0\n"),
            .accepted("1\n\n", shows: "1\n"), .accepted("0\u{0}1", shows: "0\n"),
            .repeated("0", 4095, .success(4095), shows: "0\n"), .repeated("0", 4096, .success(4096), shows: "0\n"),
            .repeated("0", 8192, .success(4096), shows: "0\n"),
            .repeated("x", 4096, .failure(.invalidArgument)),
            .refused("o", .invalidArgument), .refused("ox", .invalidArgument), .refused("2", .invalidArgument),
            .refused("-1", .invalidArgument), .refused("+1", .invalidArgument), .refused(" 1", .invalidArgument),
            .refused("\t1", .invalidArgument), .refused("\n", .invalidArgument), .refused("\u{0}", .invalidArgument),
            .refused([0xff], .invalidArgument), .refused("maybe", .invalidArgument),
        ])

    /// `numa_node_store`: kstrtoint (any error EINVAL), then -1 or an online node (nodes 0 and 1 here).
    static let numaNode = BadInputTable(
        attribute: "numa_node", path: gpu + "/numa_node",
        probes: [.content(gpu + "/numa_node")],
        restore: [(gpu + "/numa_node", "0")],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("0", shows: "0\n"), .accepted("-1", shows: "-1\n"), .accepted("0\n", shows: "0\n"),
            .accepted("+0", shows: "0\n"), .accepted("-0", shows: "0\n"), .accepted("0x0", shows: "0\n"),
            .accepted("-0x1", shows: "-1\n"), .accepted("00", shows: "0\n"), .accepted("-01", shows: "-1\n"),
            .accepted("0\u{0}junk", shows: "0\n"),
            .repeated("0", 4096, .success(4096), shows: "0\n"), .repeated("0", 8192, .success(4096), shows: "0\n"),
            .accepted("1", shows: "1\n"), .accepted("0x1\n", shows: "1\n"),
            .refused("2", .invalidArgument), .refused("-2", .invalidArgument), .refused("1024", .invalidArgument),
            .refused("2147483647", .invalidArgument), .refused("2147483648", .invalidArgument),
            .refused("-2147483649", .invalidArgument), .refused("-+1", .invalidArgument),
            .refused("+-1", .invalidArgument), .refused("--1", .invalidArgument), .refused("-", .invalidArgument),
            .refused(" 0", .invalidArgument), .refused("0 ", .invalidArgument), .refused("0\n\n", .invalidArgument),
        ] + malformedNumbers(.invalidArgument).filter { $0.label != "\"-1\"" })

    /// `enable_store` on a bound device: kstrtoul (EINVAL) before the driver check (EBUSY).
    static let enableWhileBound = BadInputTable(
        attribute: "enable (bound)", path: gpu + "/enable",
        probes: [.content(gpu + "/enable")],
        restore: [],
        rows: [
            BadInputRow("", .success(0)),
            .refused("1", .resourceBusy), .refused("0", .resourceBusy), .refused("2", .resourceBusy),
            .refused("1\n", .resourceBusy), .refused("0x1", .resourceBusy), .repeated("0", 4096, .failure(.resourceBusy)),
            .repeated("1", 4096, .failure(.invalidArgument)),
            .refused("y", .invalidArgument), .refused(" 1", .invalidArgument), .refused("-1", .invalidArgument),
            .refused("\n", .invalidArgument), .refused([0xff], .invalidArgument), .refused("\u{0}1", .invalidArgument),
        ])

    /// `enable_store` once the driver let go: kstrtoul; non-zero enables, zero disables, EIO if not enabled.
    static let enableUnbound = BadInputTable(
        attribute: "enable (unbound)", path: nvme + "/enable",
        setup: [("/bus/pci/drivers/nvme/unbind", "0000:3b:00.0")],
        probes: [.content(nvme + "/enable"), .link(nvme + "/driver")],
        restore: [(nvme + "/enable", "0")],
        rows: [
            BadInputRow("", .success(0)),
            .refused("0", .ioError), .refused("0x0\n", .ioError),
            .accepted("1", shows: "1\n"), .accepted("2\n", shows: "1\n"), .accepted("+1", shows: "1\n"),
            .accepted("0x10", shows: "1\n"), .repeated("1", 8192, .failure(.invalidArgument)),
            .refused("y", .invalidArgument), .refused("n", .invalidArgument), .refused("\u{0}", .invalidArgument),
            .refused([0xff], .invalidArgument),
        ])

    /// `driver_set_override`: PAGE_SIZE - 1 bytes or more EINVAL; ends at the first NUL or newline; empty clears.
    static let driverOverride = BadInputTable(
        attribute: "driver_override", path: gpu + "/driver_override",
        probes: [.content(gpu + "/driver_override")],
        restore: [(gpu + "/driver_override", "\n")],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("vfio-pci", shows: "vfio-pci\n"), .accepted("vfio-pci\n", shows: "vfio-pci\n"),
            .accepted("\n", shows: "(null)\n"), .accepted("\n\n", shows: "(null)\n"), .accepted("a\nb", shows: "a\n"),
            .accepted(" vfio-pci ", shows: " vfio-pci \n"), .accepted("\u{0}", shows: "(null)\n"),
            .accepted("abc\u{0}def", shows: "abc\n"),
            BadInputRow([0xff, 0xfe], .success(2), showsBytes: [0xff, 0xfe, 0x0a]),
            .repeated("a", 4094, .success(4094), shows: String(repeating: "a", count: 4094) + "\n"),
            .repeated("a", 4095, .failure(.invalidArgument)), .repeated("a", 4096, .failure(.invalidArgument)),
            .repeated("a", 8192, .failure(.invalidArgument)),
        ])

    /// `reset_store`: kstrtoul, and only 1.
    static let reset = BadInputTable(
        attribute: "reset", path: gpu + "/reset",
        probes: [.content(gpu + "/enable"), .listing(gpu)],
        restore: [],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("1"), .accepted("1\n"), .accepted("0x1"), .accepted("+1"), .accepted("01"),
            .refused("y", .invalidArgument), .refused("10", .invalidArgument), .refused("on", .invalidArgument),
            .repeated("1", 4096, .failure(.invalidArgument)),
            .refused("0", .invalidArgument), .refused("n", .invalidArgument), .refused("2", .invalidArgument),
            .refused(" 1", .invalidArgument), .refused("-1", .invalidArgument),
            .refused("\u{0}", .invalidArgument), .refused([0xff], .invalidArgument), .refused("\n", .invalidArgument),
        ])

    /// `uevent_store` → `kobject_synth_uevent`: an action, optionally a UUID and KEY=VALUE pairs.
    static let uevent = BadInputTable(
        attribute: "uevent", path: gpu + "/uevent",
        probes: [.content(gpu + "/uevent")],
        restore: [],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("change"), .accepted("change\n"), .accepted("add"), .accepted("change\u{0}"),
            .accepted("change " + uuid), .accepted("change " + uuid.uppercased() + " KEY=value1\n"),
            .refused("chang", .invalidArgument), .refused("changes", .invalidArgument),
            .refused("CHANGE", .invalidArgument), .refused(" change", .invalidArgument),
            .refused("change ", .invalidArgument), .refused("change\n\n", .invalidArgument),
            .refused("change\t", .invalidArgument), .refused("change x", .invalidArgument),
            .refused("change " + uuid + " KEY", .invalidArgument),
            .refused("change " + uuid + " KEY=", .invalidArgument),
            .refused("change " + uuid + " K_Y=1", .invalidArgument),
            .refused(Array(("change " + uuid + " K=").utf8) + [0xff], .invalidArgument),
            .refused([0xff], .invalidArgument),
            .repeated("a", 4096, .failure(.invalidArgument)), .repeated("a", 8192, .failure(.invalidArgument)),
        ])

    static let driverLinkProbes: [Probe] = [
        .link(gpu + "/driver"), .link(nvme + "/driver"), .link("/bus/pci/devices/0000:f3:00.0/driver"),
        .listing("/bus/pci/drivers/nvme"),
    ]

    /// `bind_store`: the device by exact name (sysfs_streq), a matching driver (ENODEV), then unbound (EBUSY).
    static let bind = BadInputTable(
        attribute: "bind", path: "/bus/pci/drivers/nvme/bind",
        probes: driverLinkProbes, restore: [],
        rows: [
            BadInputRow("", .success(0)),
            .refused("0000:3b:00.0", .resourceBusy), .refused("0000:3b:00.0\n", .resourceBusy),
            .refused("0000:3b:00.0\u{0}junk", .resourceBusy),
            .refused("0000:00:02.0", .noDevice), .refused("x", .noDevice), .refused("0000:3b:00.0\n\n", .noDevice),
            .refused(" 0000:3b:00.0", .noDevice), .refused("0000:3b:00.0 ", .noDevice),
            .refused("0000:3B:00.0", .noDevice), .refused("3b:00.0", .noDevice), .refused([0xff], .noDevice),
            .repeated("0", 4096, .failure(.noDevice)), .repeated("0", 8192, .failure(.noDevice)),
        ])

    /// `unbind_store`: only a device bound to this driver, else ENODEV.
    static let unbind = BadInputTable(
        attribute: "unbind", path: "/bus/pci/drivers/nvme/unbind",
        probes: driverLinkProbes, restore: [("/bus/pci/drivers/nvme/bind", "0000:3b:00.0")],
        rows: [
            BadInputRow("", .success(0)),
            .accepted("0000:3b:00.0"), .accepted("0000:3b:00.0\n"),
            .refused("0000:00:02.0", .noDevice), .refused("x", .noDevice), .refused("0000:3b:00.0\n\n", .noDevice),
            .refused(" 0000:3b:00.0", .noDevice), .refused("0000:3B:00.0", .noDevice), .refused([0xff], .noDevice),
            .repeated("0", 4096, .failure(.noDevice)), .repeated("0", 8192, .failure(.noDevice)),
        ])
}
