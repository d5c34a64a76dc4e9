import Compatibility
import Synchronization
import SystemPackage
import SysfsTree
import KernelCore

/// Drivers for scenario tests, registered as `test-gpu` (an mdev parent with
/// a pool of `capacity` units) and `test-pf` (an SR-IOV PF with `total_vfs`).
enum TestDrivers {
    static func lookup(_ name: String) -> (any DriverFactory.Type)? {
        switch name {
        case TestGPUFactory.name: return TestGPUFactory.self
        case TestPFFactory.name: return TestPFFactory.self
        default: return nil
        }
    }

    static let names = [TestGPUFactory.name, TestPFFactory.name]
}

/// Remembers what the host context said, and serves it as `flavours` for tests to read.
final class TestDriver: VendorDriver, @unchecked Sendable {
    let capacity: Int
    let flavours: Set<InterfaceFlavour>
    private var used = 0

    init(capacity: Int, flavours: Set<InterfaceFlavour>) {
        self.capacity = capacity
        self.flavours = flavours
    }

    func attributes(of device: PCIDevice, in directory: Directory) -> [Node] {
        let text = flavours.map(\.rawValue).sorted().joined(separator: " ") + "\n"
        return [directory.makeAttribute("flavours", mode: 0o444) { text }]
    }

    func mdevTypes(of device: PCIDevice) -> [MdevType] {
        device.identity.classCode >> 16 == 0x03 && !device.isVirtualFunction
            ? [MdevType(name: "small"), MdevType(name: "large")] : []
    }

    private func units(_ type: MdevType) -> Int { type.name == "large" ? 2 : 1 }

    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int { (capacity - used) / units(type) }

    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        guard used + units(mdev.type) <= capacity else { throw .noSpace }
        used += units(mdev.type)
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) { used -= units(mdev.type) }
}

enum TestGPUFactory: DriverFactory {
    static let name = "test-gpu"
    static let settingsHelp = [(key: "capacity", meaning: "units shared by the mdevs (small 1, large 2)")]

    static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        try settings.checkKeys(settingsHelp.map(\.key))
        let capacity = try settings.integer("capacity", default: 4)
        let spec = DeviceSpec(address: address, identity: PCIIdentity(vendor: 0x8086, device: 0x591d, classCode: 0x030000),
                              kernelDriver: "pool")
        return (spec, TestDriver(capacity: capacity, flavours: context.flavours))
    }
}

enum TestPFFactory: DriverFactory {
    static let name = "test-pf"
    static let settingsHelp = [(key: "total_vfs", meaning: "sriov_totalvfs"), (key: "model", meaning: "text")]

    static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        try settings.checkKeys(settingsHelp.map(\.key))
        let total = try settings.integer("total_vfs", default: 8)
        _ = try settings.string("model", default: "")
        guard (0...Int(UInt16.max)).contains(total) else {
            throw SettingsError(key: "total_vfs", reason: "must be from 0 to 65535")
        }
        let spec = DeviceSpec(address: address, identity: PCIIdentity(vendor: 0x144d, device: 0xa824, classCode: 0x010802),
                              kernelDriver: "nvme",
                              sriov: SRIOVCapability(totalVFs: UInt16(total), vfDevice: 0xa825, vfDriver: "nvme"))
        return (spec, TestDriver(capacity: 0, flavours: context.flavours))
    }
}
