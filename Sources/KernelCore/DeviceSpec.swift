/// What a host is built from: its PCI functions and their settings.
public struct DeviceSpec: Sendable {
    public var address: PCIAddress
    public var identity: PCIIdentity
    /// The kernel driver the function is bound to, or nil for none.
    public var kernelDriver: String?
    public var bars: [BAR]
    /// Present on an SR-IOV physical function.
    public var sriov: SRIOVCapability?
    /// The function's PCIe link; nil for a root-complex integrated endpoint, which has none.
    public var link: PCIeLink? = PCIeLink(generation: 4, width: 16)
    /// VFs enabled when the device is added, as if `sriov_numvfs` had been written at boot.
    public var initialVFs = 0

    public init(address: PCIAddress, identity: PCIIdentity, kernelDriver: String?,
                bars: [BAR] = [BAR(size: 16 << 10)], sriov: SRIOVCapability? = nil) {
        self.address = address
        self.identity = identity
        self.kernelDriver = kernelDriver
        self.bars = bars
        self.sriov = sriov
    }
}

/// The SR-IOV extended capability of a PF, and what its VFs are.
public struct SRIOVCapability: Sendable, Equatable {
    public var totalVFs: UInt16
    public var offset: UInt16
    public var stride: UInt16
    public var vfDevice: UInt16
    /// The driver VFs bind to when `sriov_drivers_autoprobe` is 1, or nil.
    public var vfDriver: String?

    public init(totalVFs: UInt16, offset: UInt16 = 1, stride: UInt16 = 1, vfDevice: UInt16, vfDriver: String?) {
        self.totalVFs = totalVFs
        self.offset = offset
        self.stride = stride
        self.vfDevice = vfDevice
        self.vfDriver = vfDriver
    }
}

/// A memory or I/O base address register.
public struct BAR: Sendable, Equatable {
    public var size: UInt64
    public var is64Bit = true
    public var prefetchable = false
    public var isIO = false

    public init(size: UInt64, is64Bit: Bool = true, prefetchable: Bool = false, isIO: Bool = false) {
        self.size = size
        self.is64Bit = is64Bit
        self.prefetchable = prefetchable
        self.isIO = isIO
    }

    /// Where each BAR sits: memory BARs naturally aligned in a window below 4 GiB
    /// that depends on the function's address, I/O BARs in port space.
    static func layout(_ bars: [BAR], at address: PCIAddress) -> [(bar: BAR, start: UInt64)] {
        var memory: UInt64 = 0xc000_0000 + UInt64(address.bus) << 22 + UInt64(address.devfn) << 16
        var ports: UInt64 = 0x1000 + UInt64(address.bus) << 8
        return bars.map { bar in
            let size = max(bar.size, bar.isIO ? 4 : 16)
            if bar.isIO {
                ports = (ports + size - 1) / size * size
                defer { ports += size }
                return (bar, ports)
            }
            memory = (memory + size - 1) / size * size
            defer { memory += size }
            return (bar, memory)
        }
    }

    /// The `IORESOURCE_*` flags `resource` prints.
    var resourceFlags: UInt64 {
        if isIO { return 0x0004_0101 }
        var flags: UInt64 = 0x0004_0200
        if is64Bit { flags |= 0x0010_0000 | 0x4 }
        if prefetchable { flags |= 0x2000 | 0x8 }
        return flags
    }
}
