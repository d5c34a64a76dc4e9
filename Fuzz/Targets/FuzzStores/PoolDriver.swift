import KernelCore
import SysfsTree
import SystemPackage

/// A vendor driver with one pool of `capacity` units shared by an mdev type
/// of 1 unit and one of 2, on an SR-IOV PF, so the stores' bookkeeping can be
/// checked against a number the fuzzer cannot see.
final class PoolDriver: VendorDriver, @unchecked Sendable {
    let capacity = 6
    // Guarded by the host's lock (the core calls these hooks with it held).
    private(set) var used = 0

    static let small = MdevType(name: "small")
    static let large = MdevType(name: "large")

    func units(_ type: MdevType) -> Int { type == PoolDriver.large ? 2 : 1 }
    func mdevTypes(of device: PCIDevice) -> [MdevType] { device.isVirtualFunction ? [] : [PoolDriver.small, PoolDriver.large] }
    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int { (capacity - used) / units(type) }

    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        guard used + units(mdev.type) <= capacity else { throw .noSpace }
        used += units(mdev.type)
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) { used -= units(mdev.type) }
}
