/// A kernel module as `/sys/module` shows it: the drivers it registers, the
/// modules it uses, and its parameters (`kernel/module/sysfs.c`, `kernel/params.c`).
public struct KernelModule: Sendable, Equatable {
    /// A driver a module registers: `/sys/bus/<bus>/drivers/<name>`, `/sys/module/<module>/drivers/<bus>:<name>`.
    public struct Driver: Sendable, Hashable {
        public let bus: String
        public let name: String

        public init(bus: String = "pci", _ name: String) {
            self.bus = bus
            self.name = name
        }
    }

    /// A module parameter with a sysfs file (`module_param` with a non-zero mode).
    public struct Parameter: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Shown `Y`/`N`, set with kstrtobool.
            case bool
            /// Set with kstrtouint.
            case uint
            /// Set with kstrtoint.
            case int
        }

        public let name: String
        public let mode: UInt16
        public let kind: Kind
        public let initial: String

        public init(_ name: String, mode: UInt16, kind: Kind, initial: String) {
            self.name = name
            self.mode = mode
            self.kind = kind
            self.initial = initial
        }
    }

    /// The name under `/sys/module`, with underscores as `KBUILD_MODNAME` has them.
    public let name: String
    /// Built into the kernel image: a directory of its drivers and parameters only,
    /// without `initstate`, `refcnt` or `holders`.
    public let builtIn: Bool
    public let drivers: [Driver]
    /// The modules this one uses; each lists it under `holders/`.
    public let uses: [String]
    public let parameters: [Parameter]

    public init(_ name: String, builtIn: Bool = false, drivers: [Driver] = [], uses: [String] = [],
                parameters: [Parameter] = []) {
        self.name = name
        self.builtIn = builtIn
        self.drivers = drivers
        self.uses = uses
        self.parameters = parameters
    }
}

/// The modules of Debian's 6.12 kernel that the simulated devices need.
public enum ModuleCatalog {
    public static let pcieport = KernelModule("pcieportdrv", builtIn: true, drivers: [.init("pcieport")])
    public static let vfio = KernelModule("vfio", parameters: [
        .init("enable_unsafe_noiommu_mode", mode: 0o644, kind: .bool, initial: "N"),
    ])
    public static let vfioIOMMUType1 = KernelModule("vfio_iommu_type1", uses: ["vfio"], parameters: [
        .init("allow_unsafe_interrupts", mode: 0o644, kind: .bool, initial: "N"),
        .init("disable_hugepages", mode: 0o644, kind: .bool, initial: "N"),
        .init("dma_entry_limit", mode: 0o644, kind: .uint, initial: "65535"),
    ])
    public static let vfioPCICore = KernelModule("vfio_pci_core", uses: ["vfio"])
    /// `ids` has mode 0, so it has no file.
    public static let vfioPCI = KernelModule("vfio_pci", drivers: [.init("vfio-pci")], uses: ["vfio_pci_core", "vfio"],
                                             parameters: [
        .init("nointxmask", mode: 0o644, kind: .bool, initial: "N"),
        .init("disable_vga", mode: 0o444, kind: .bool, initial: "N"),
        .init("disable_idle_d3", mode: 0o644, kind: .bool, initial: "N"),
        .init("enable_sriov", mode: 0o644, kind: .bool, initial: "N"),
        .init("disable_denylist", mode: 0o444, kind: .bool, initial: "N"),
    ])
    public static let nvme = KernelModule("nvme", drivers: [.init("nvme")], uses: ["nvme_core"], parameters: [
        .init("use_threaded_interrupts", mode: 0o444, kind: .int, initial: "0"),
        .init("use_cmb_sqes", mode: 0o444, kind: .bool, initial: "Y"),
        .init("max_host_mem_size_mb", mode: 0o444, kind: .uint, initial: "128"),
        .init("sgl_threshold", mode: 0o644, kind: .uint, initial: "32768"),
        .init("write_queues", mode: 0o644, kind: .uint, initial: "0"),
        .init("poll_queues", mode: 0o644, kind: .uint, initial: "0"),
        .init("noacpi", mode: 0o444, kind: .bool, initial: "N"),
    ])
    public static let nvmeCore = KernelModule("nvme_core")
    public static let i915 = KernelModule("i915", drivers: [.init("i915")], parameters: [
        .init("enable_gvt", mode: 0o400, kind: .bool, initial: "Y"),
        .init("modeset", mode: 0o400, kind: .int, initial: "-1"),
    ])
    public static let qatCommon = KernelModule("intel_qat")
    public static let qatVFIO = KernelModule("qat_vfio_pci", drivers: [.init("qat_vfio_pci")],
                                             uses: ["vfio_pci_core", "vfio", "intel_qat"])

    /// Everything a module needs loaded first, then the module, in load order.
    public static func withDependencies(_ module: KernelModule) -> [KernelModule] {
        var ordered: [KernelModule] = []
        func visit(_ module: KernelModule) {
            guard !ordered.contains(where: { $0.name == module.name }) else { return }
            for name in module.uses { if let used = named(name) { visit(used) } }
            ordered.append(module)
        }
        visit(module)
        return ordered
    }

    static let all: [KernelModule] = [pcieport, vfio, vfioIOMMUType1, vfioPCICore, vfioPCI, nvmeCore, nvme, i915,
                                      qatCommon, qatVFIO]
        + ["4xxx", "420xx", "6xxx"].map { KernelModule("qat_" + $0, drivers: [.init($0)], uses: ["intel_qat"]) }

    public static func named(_ name: String) -> KernelModule? { all.first { $0.name == name } }

    /// The module that registers the PCI driver `driver`, if the catalog knows it.
    public static func registering(pciDriver driver: String) -> KernelModule? {
        all.first { $0.drivers.contains(KernelModule.Driver(driver)) }
    }

    /// What every host has loaded: the PCIe port driver and vfio-pci with what it uses.
    public static let always: [KernelModule] = [pcieport, vfioIOMMUType1, vfioPCI]
}
