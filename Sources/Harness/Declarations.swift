import FuseServer
import KernelCore
import Scenario

/// A device as a scenario or a control command declared it: the driver that
/// made it and the settings it was made with, which `update` starts from.
public struct DeviceDeclaration: Sendable {
    public struct Mdev: Sendable, Equatable {
        public var type: String
        public var uuid: String
        public init(type: String, uuid: String) {
            self.type = type
            self.uuid = uuid
        }
    }

    public var address: PCIAddress
    public var driver: String
    public var settings: DriverSettings
    public var vfs: Int
    public var mdevs: [Mdev]
    /// What the scenario builds it with, when that is not the built-in driver of that name (a driver file).
    public var maker: DriverMaker?

    public init(address: PCIAddress, driver: String, settings: DriverSettings, vfs: Int = 0, mdevs: [Mdev] = [],
                maker: DriverMaker? = nil) {
        self.address = address
        self.driver = driver
        self.maker = maker
        self.settings = settings
        self.vfs = vfs
        self.mdevs = mdevs
    }
}

/// One host of a scenario, as declared: what a reload compares against.
public struct HostDeclaration: Sendable {
    public var name: String
    public var context: HostContext
    public var devices: [DeviceDeclaration]
    public var faults: [FaultRule]

    public init(name: String, context: HostContext = HostContext(), devices: [DeviceDeclaration] = [],
                faults: [FaultRule] = []) {
        self.name = name
        self.context = context
        self.devices = devices
        self.faults = faults
    }
}

extension DriverSettings {
    /// Same keys with the same values.
    func sameValues(as other: DriverSettings) -> Bool { values == other.values }
}

extension HostDeclaration {
    /// A host as its scenario file declares it; a fault the FUSE layer cannot apply is refused with its line.
    public init(_ declared: DeclaredHost) throws(ControlError) {
        var faults: [FaultRule] = []
        for fault in declared.faults {
            do {
                faults.append(try FaultRule(fields: fault.fields))
            } catch {
                throw ControlError("\(fault.file):\(fault.line): fault: \(error)")
            }
        }
        self.init(name: declared.name, context: HostContext(flavours: declared.flavours),
                  devices: declared.devices.map { device in
                      DeviceDeclaration(address: device.address, driver: device.driver, settings: device.settings,
                                        vfs: device.vfs, mdevs: device.mdevs.map { mdev in
                                            DeviceDeclaration.Mdev(type: mdev.type, uuid: mdev.uuid.description)
                                        }, maker: device.maker.source == nil ? nil : device.maker)
                  }, faults: faults)
    }
}
