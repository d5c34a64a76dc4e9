import Synchronization
import SystemPackage
import SysfsTree
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

/// Records uevents for assertions.
final class RecordingSink: UEventSink, @unchecked Sendable {
    private let events = Mutex<[UEvent]>([])
    func emit(_ event: UEvent) { events.withLock { $0.append(event) } }
    var all: [UEvent] { events.withLock { $0 } }
}

struct TestHost {
    let host: Host
    let driver: PoolDriver
    let sink = RecordingSink()

    static let parent = PCIAddress(bus: 0, slot: 2, function: 0)
    static let pf = PCIAddress(bus: 0x3b, slot: 0, function: 0)

    init(capacity: Int = 4, totalVFs: UInt16 = 8) {
        host = Host(name: "test")
        driver = PoolDriver(capacity: capacity)
        host.setUEventSink(sink)
        host.addDevice(DeviceSpec(address: TestHost.parent,
                                  identity: PCIIdentity(vendor: 0x8086, device: 0x591d, classCode: 0x030000),
                                  kernelDriver: "pool"), driver: driver)
        host.addDevice(DeviceSpec(address: TestHost.pf,
                                  identity: PCIIdentity(vendor: 0x144d, device: 0xa824, classCode: 0x010802),
                                  kernelDriver: "nvme",
                                  sriov: SRIOVCapability(totalVFs: totalVFs, offset: 1, stride: 1,
                                                         vfDevice: 0xa825, vfDriver: "nvme")),
                       driver: driver)
    }

    func node(_ path: String) -> Node? { host.root.resolve(path) }

    func read(_ path: String) -> Result<String, Errno> {
        guard let attribute = node(path) as? Attribute else { return .failure(.noSuchFileOrDirectory) }
        return Result { () throws(Errno) in String(decoding: try attribute.read(), as: UTF8.self) }
    }

    @discardableResult
    func write(_ path: String, _ text: String) -> Result<Int, Errno> {
        guard let attribute = node(path) as? Attribute else { return .failure(.noSuchFileOrDirectory) }
        return Result { () throws(Errno) in try attribute.write(Array(text.utf8)) }
    }

    func link(_ path: String) -> String? { (host.root.resolve(path, followFinalLink: false) as? Symlink)?.relativeTarget }

    func names(_ path: String) -> [String] { ((node(path) as? Directory)?.list() ?? []).map(\.name).sorted() }
}
