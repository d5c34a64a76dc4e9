/// What builds a scenario's devices of one driver: a built-in `DriverFactory`
/// or a driver described in a file the scenario names.
public struct DriverMaker: Sendable {
    public typealias Make = @Sendable (PCIAddress, DriverSettings, HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver)

    public let name: String
    public let settingsHelp: [(key: String, meaning: String)]
    /// The text of a driver file, to tell an edited one apart; nil for a built-in.
    public let source: String?
    private let build: Make

    public init(name: String, settingsHelp: [(key: String, meaning: String)], source: String?, make: @escaping Make) {
        self.name = name
        self.settingsHelp = settingsHelp
        self.source = source
        build = make
    }

    public init(_ factory: any DriverFactory.Type) {
        let box = FactoryType(type: factory)
        self.init(name: factory.name, settingsHelp: factory.settingsHelp, source: nil) { address, settings, context throws(SettingsError) in
            try box.type.make(address: address, settings: settings, context: context)
        }
    }

    public func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        try build(address, settings, context)
    }
}

/// A factory's type: only static members, nothing to race on.
private struct FactoryType: @unchecked Sendable {
    let type: any DriverFactory.Type
}
