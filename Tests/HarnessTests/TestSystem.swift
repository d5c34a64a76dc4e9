import FuseServer
import Synchronization
import SystemPackage
import SysfsTree
import Testbed
@testable import Harness
@testable import KernelCore

/// A vendor driver for harness tests: a pool of `capacity` units for mdev
/// type `unit`, SR-IOV with 8 VFs, and a `version` attribute; `update`
/// changes version and capacity but refuses a lower capacity than in use.
final class VersionedDriver: VendorDriver, @unchecked Sendable {
    private(set) var version: String
    private(set) var capacity: Int
    private(set) var used = 0
    let updatable: Bool

    init(version: String, capacity: Int, updatable: Bool) {
        self.version = version
        self.capacity = capacity
        self.updatable = updatable
    }

    func attributes(of device: PCIDevice, in directory: Directory) -> [Node] {
        [directory.makeAttribute("version", mode: 0o444) { [weak self, weak device] in
            device?.host?.lock.withLock { (self?.version ?? "") + "\n" } ?? "\n"
        }]
    }

    func mdevTypes(of device: PCIDevice) -> [MdevType] {
        device.isVirtualFunction || capacity == 0 ? [] : [MdevType(name: "unit")]
    }

    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int { capacity - used }

    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        guard used < capacity else {
            mdev.parent.host?.log("\(mdev.parent.address): all \(capacity) units in use")
            throw .noSpace
        }
        used += 1
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) { used -= 1 }

    func update(settings: DriverSettings) throws(SettingsError) {
        guard updatable else {
            throw SettingsError(key: "settings", reason: "this driver cannot change its settings while the device exists")
        }
        try settings.checkKeys(["version", "capacity", "device"])
        let newCapacity = try settings.integer("capacity", default: 4)
        guard newCapacity >= used else { throw SettingsError(key: "capacity", reason: "\(used) units are in use") }
        version = try settings.string("version", default: "1.0")
        capacity = newCapacity
    }
}

enum VersionedFactory: DriverFactory {
    static let name = "versioned"
    static let settingsHelp: [(key: String, meaning: String)] = [("version", "software version"), ("capacity", "units"),
                                                                 ("device", "PCI device ID")]

    static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        try settings.checkKeys(["version", "capacity", "device"])
        let device = UInt16(clamping: try settings.integer("device", default: 0x1234))
        let spec = DeviceSpec(address: address,
                              identity: PCIIdentity(vendor: 0x8086, device: device, classCode: 0x030000),
                              kernelDriver: "versioned",
                              sriov: SRIOVCapability(totalVFs: 8, vfDevice: 0x1235, vfDriver: "versioned"))
        return (spec, VersionedDriver(version: try settings.string("version", default: "1.0"),
                                      capacity: try settings.integer("capacity", default: 4), updatable: true))
    }
}

enum FrozenFactory: DriverFactory {
    static let name = "frozen"
    static let settingsHelp: [(key: String, meaning: String)] = []

    static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        let spec = DeviceSpec(address: address, identity: PCIIdentity(vendor: 0x144d, device: 0xa824, classCode: 0x010802),
                              kernelDriver: "nvme")
        return (spec, VersionedDriver(version: "9", capacity: 0, updatable: false))
    }
}

/// Hosts built from declarations through the factories, with a live system over them.
struct TestSystem {
    static let gpu = PCIAddress(bus: 0, slot: 2, function: 0)
    static let lookup: LiveSystem.DriverLookup = { name in
        [VersionedFactory.name: VersionedFactory.self, FrozenFactory.name: FrozenFactory.self][name]
    }

    /// The tree's top, kept alive: a node whose ancestor is gone counts as removed.
    let top = Directory()
    let hosts: [Host]
    let system: LiveSystem
    let faults = FaultPlan()

    init(hostNames: [String] = ["test"], declarations: [HostDeclaration]? = nil, trace: AccessTrace? = nil,
         readScenario: LiveSystem.ScenarioReader? = nil) {
        let declared = declarations ?? hostNames.map { name in
            HostDeclaration(name: name, devices: [DeviceDeclaration(address: TestSystem.gpu, driver: "versioned",
                                                                    settings: DriverSettings())])
        }
        var built: [Host] = []
        for declaration in declared {
            let root = declared.count == 1 ? top : top.sysfsRoot(declaration.name)
            let host = Host(name: declaration.name, root: root, log: { KernelMessages.record($0) })
            for device in declaration.devices {
                if let (spec, driver) = try? TestSystem.lookup(device.driver)?.make(address: device.address,
                                                                                   settings: device.settings,
                                                                                   context: declaration.context) {
                    host.addDevice(spec, driver: driver)
                }
            }
            built.append(host)
        }
        hosts = built
        beds = built.map { Testbed(host: $0) }
        system = LiveSystem(hosts: built, declarations: declared, faults: faults, trace: trace,
                            drivers: TestSystem.lookup, driverNames: ["frozen", "versioned"], readScenario: readScenario)
    }

    var host: Host { hosts[0] }
    /// The first host, to read and write as a client of its tree would.
    var bed: Testbed { beds[0] }
    let beds: [Testbed]

    @discardableResult
    func ctl(_ words: String...) -> ControlReply { system.execute(words) }
}
