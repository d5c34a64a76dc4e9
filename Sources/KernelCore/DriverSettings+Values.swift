import Compatibility
/// Typed readers drivers share for common setting kinds.
extension DriverSettings {
    /// A 16-bit PCI ID given as a number or as hex text (`591d`, `0x591d`).
    public func pciID(_ key: String, default fallback: UInt16) throws(SettingsError) -> UInt16 {
        switch values[key] {
        case nil: return fallback
        case .integer(let value)?:
            guard let id = UInt16(exactly: value) else { throw SettingsError(key: key, reason: "not a 16-bit PCI ID") }
            return id
        case .string(let text)?:
            let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
            guard (1...4).contains(digits.count), digits.allSatisfy(\.isHexDigit), let id = UInt16(digits, radix: 16) else {
                throw SettingsError(key: key, reason: "expected a PCI ID in hex, e.g. 591d")
            }
            return id
        default: throw SettingsError(key: key, reason: "expected a PCI ID in hex, e.g. 591d")
        }
    }

    /// A `major.minor.bugfix` version.
    public func version(_ key: String, default fallback: SemanticVersion) throws(SettingsError) -> SemanticVersion {
        guard values[key] != nil else { return fallback }
        guard let version = SemanticVersion(try string(key, default: "")) else {
            throw SettingsError(key: key, reason: "expected major.minor.bugfix, e.g. 1.0.0")
        }
        return version
    }

    /// A whole number within `range`.
    public func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(SettingsError) -> Int {
        let value = try integer(key, default: fallback)
        guard range.contains(value) else {
            throw SettingsError(key: key, reason: "expected \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }

    /// One of `choices`.
    public func choice(_ key: String, default fallback: String, from choices: [String]) throws(SettingsError) -> String {
        let value = try string(key, default: fallback)
        guard choices.contains(value) else {
            throw SettingsError(key: key, reason: "expected one of \(choices.joined(separator: ", "))")
        }
        return value
    }
}
