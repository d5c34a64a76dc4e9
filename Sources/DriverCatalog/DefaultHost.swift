import KernelCore
import SysfsTree

/// The machine served when no scenario is given: one device of each driver
/// with its default settings.
extension DriverCatalog {
    public static let defaultDevices: [(driver: String, address: PCIAddress)] = [
        ("i915-gvt", PCIAddress(bus: 0x00, slot: 0x02, function: 0)),
        ("nvme-vf", PCIAddress(bus: 0x3b, slot: 0x00, function: 0)),
        ("qat-vf", PCIAddress(bus: 0xf3, slot: 0x00, function: 0)),
    ]

    public static func defaultHost(name: String = "default", root: Directory = Directory(),
                                   context: HostContext = HostContext(),
                                   log: @escaping @Sendable (String) -> Void = { _ in }) throws(SettingsError) -> Host {
        let host = Host(name: name, root: root, log: log)
        for device in defaultDevices {
            guard let factory = factory(named: device.driver) else {
                throw SettingsError(key: device.driver, reason: "no such driver")
            }
            let made = try factory.make(address: device.address, settings: DriverSettings(), context: context)
            host.addDevice(made.spec, driver: made.driver)
        }
        return host
    }
}
