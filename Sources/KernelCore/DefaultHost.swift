/// The machine served when no scenario is given: one device of each kind.
public enum DefaultHost {
    public static let devices: [DeviceSpec] = [
        DeviceSpec(address: PCIAddress(bus: 0x00, slot: 0x02, function: 0),
                   identity: PCIIdentity(vendor: 0x8086, device: 0x591d, subsystemVendor: 0x8086,
                                         subsystemDevice: 0x2212, classCode: 0x030000, revision: 0x04),
                   kernelDriver: "i915", numaNode: -1,
                   bars: [BAR(size: 16 << 20), BAR(size: 256 << 20, prefetchable: true), BAR(size: 64, is64Bit: false, isIO: true)]),
        DeviceSpec(address: PCIAddress(bus: 0x3b, slot: 0x00, function: 0),
                   identity: PCIIdentity(vendor: 0x144d, device: 0xa824, subsystemVendor: 0x144d,
                                         subsystemDevice: 0xa801, classCode: 0x010802, revision: 0x00),
                   kernelDriver: "nvme", numaNode: 0, bars: [BAR(size: 32 << 10)],
                   sriov: SRIOVCapability(totalVFs: 32, offset: 1, stride: 1, vfDevice: 0xa824, vfDriver: "nvme")),
        DeviceSpec(address: PCIAddress(bus: 0xf3, slot: 0x00, function: 0),
                   identity: PCIIdentity(vendor: 0x8086, device: 0x4940, subsystemVendor: 0x8086,
                                         subsystemDevice: 0x0000, classCode: 0x0b4000, revision: 0x40),
                   kernelDriver: "4xxx", numaNode: 0,
                   bars: [BAR(size: 512 << 10, prefetchable: true), BAR(size: 8 << 10, prefetchable: true),
                          BAR(size: 8 << 20, prefetchable: true)],
                   sriov: SRIOVCapability(totalVFs: 16, offset: 1, stride: 1, vfDevice: 0x4941, vfDriver: "vfio-pci")),
    ]

    public static func build(name: String = "default", root: SysfsTree.Directory = .init()) -> Host {
        let host = Host(name: name, root: root)
        for spec in devices { host.addDevice(spec) }
        return host
    }
}

import SysfsTree
