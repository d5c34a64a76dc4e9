import Compatibility
/// The scenario-facing side of a vendor driver: builds one device and its
/// driver from the settings a scenario gives it. Registered by `name`.
public protocol DriverFactory: SendableMetatype {
    /// The name scenarios use, e.g. `i915-gvt`.
    static var name: String { get }
    /// The settings keys the driver understands, with what each means (for errors and docs).
    static var settingsHelp: [(key: String, meaning: String)] { get }
    /// Builds the function at `address`; throw for settings it cannot use.
    static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver)
}

/// What every driver on one host shares.
public struct HostContext: Sendable {
    /// The compatibility interfaces this host exposes.
    public var flavours: Set<InterfaceFlavour>

    public init(flavours: Set<InterfaceFlavour> = Set(InterfaceFlavour.allCases)) {
        self.flavours = flavours
    }
}

/// A device's settings in a scenario: scalar or list values by key.
public struct DriverSettings: Sendable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case list([String])
    }

    public var values: [String: Value]

    public init(_ values: [String: Value] = [:]) { self.values = values }

    public func string(_ key: String, default fallback: String) throws(SettingsError) -> String {
        switch values[key] {
        case nil: return fallback
        case .string(let value)?: return value
        case .integer(let value)?: return String(value)
        default: throw SettingsError(key: key, reason: "expected text")
        }
    }

    public func integer(_ key: String, default fallback: Int) throws(SettingsError) -> Int {
        switch values[key] {
        case nil: return fallback
        case .integer(let value)?: return value
        default: throw SettingsError(key: key, reason: "expected a whole number")
        }
    }

    public func boolean(_ key: String, default fallback: Bool) throws(SettingsError) -> Bool {
        switch values[key] {
        case nil: return fallback
        case .boolean(let value)?: return value
        default: throw SettingsError(key: key, reason: "expected true or false")
        }
    }

    public func list(_ key: String, default fallback: [String]) throws(SettingsError) -> [String] {
        switch values[key] {
        case nil: return fallback
        case .list(let value)?: return value
        case .string(let value)?: return [value]
        default: throw SettingsError(key: key, reason: "expected a list")
        }
    }

    /// Refuses keys the driver does not know, so a typo is not silently ignored.
    public func checkKeys(_ known: [String]) throws(SettingsError) {
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw SettingsError(key: unknown, reason: "unknown setting (known: \(known.joined(separator: ", ")))")
        }
    }
}

public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }
}
