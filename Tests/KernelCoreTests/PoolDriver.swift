import SystemPackage
import SysfsTree
import Testbed
@testable import KernelCore

/// A small vendor driver for core tests: one pool of `capacity` units shared
/// by types `small` (1 unit) and `large` (2 units), mdev parent and SR-IOV PF.
final class PoolDriver: VendorDriver, @unchecked Sendable {
    let capacity: Int
    private(set) var used = 0
    private(set) var enabledVFCounts: [Int] = []
    var refuseRemoval = false
    var settings: [String: String] = [:]
    private(set) var restored: [[String: String]] = []

    init(capacity: Int) { self.capacity = capacity }

    static let small = MdevType(name: "small", description: "one unit")
    static let large = MdevType(name: "large")

    func units(_ type: MdevType) -> Int { type == PoolDriver.large ? 2 : 1 }

    func mdevTypes(of device: PCIDevice) -> [MdevType] {
        device.isVirtualFunction ? [] : [PoolDriver.small, PoolDriver.large]
    }

    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int { (capacity - used) / units(type) }

    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        guard used + units(mdev.type) <= capacity else { throw .noSpace }
        used += units(mdev.type)
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) {
        if refuseRemoval { throw .resourceBusy }
        used -= units(mdev.type)
    }

    func enableVFs(_ count: Int, on pf: PCIDevice) throws(Errno) { enabledVFCounts.append(count) }

    func persistentSettings(of device: PCIDevice) -> [String: String] { device.isVirtualFunction ? [:] : settings }
    func restoreSettings(_ settings: [String: String], of device: PCIDevice) throws(Errno) { restored.append(settings) }
}

extension Testbed {
    static let poolParent = PCIAddress(bus: 0, slot: 2, function: 0)
    static let poolPF = PCIAddress(bus: 0x3b, slot: 0, function: 0)

    /// A GPU at 0000:00:02.0 (an mdev parent) and an SR-IOV physical
    /// function at 0000:3b:00.0, both driven by `driver`.
    static func pool(_ driver: PoolDriver = PoolDriver(capacity: 4), totalVFs: UInt16 = 8) -> Testbed {
        let bed = Testbed()
        bed.add(DeviceSpec(address: poolParent,
                           identity: PCIIdentity(vendor: 0x8086, device: 0x591d, classCode: 0x030000),
                           kernelDriver: "pool"), driver: driver)
        bed.add(DeviceSpec(address: poolPF,
                           identity: PCIIdentity(vendor: 0x144d, device: 0xa824, classCode: 0x010802),
                           kernelDriver: "nvme",
                           sriov: SRIOVCapability(totalVFs: totalVFs, offset: 1, stride: 1,
                                                  vfDevice: 0xa825, vfDriver: "nvme")),
                driver: driver)
        return bed
    }
}
