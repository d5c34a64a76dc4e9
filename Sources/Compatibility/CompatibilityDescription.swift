/// What makes a device what it is for migration, stated once by its driver.
/// Every interface flavour renders and parses this, and every verdict is
/// `target.judge(source)`, so the flavours cannot disagree.
public struct CompatibilityDescription: Sendable, Hashable {
    /// e.g. `vfio-pci`; must be equal.
    public var deviceAPI: String
    /// The vendor driver's name, e.g. `i915`; must be equal.
    public var driver: String
    /// The facts, in the order a target checks them.
    public var fields: [CompatibilityField]

    public init(deviceAPI: String = "vfio-pci", driver: String, fields: [CompatibilityField]) {
        self.deviceAPI = deviceAPI
        self.driver = driver
        self.fields = fields
    }

    public subscript(name: String) -> CompatibilityField? {
        fields.first { $0.name == name }
    }

    /// The target's verdict on `source`: the device API, the driver, then
    /// every field in the target's order by the target's rules; a field only
    /// the source describes is refused last.
    public func judge(_ source: CompatibilityDescription) -> CompatibilityVerdict {
        if source.deviceAPI != deviceAPI {
            return .incompatible(Incompatibility(field: "device_api", reason: .differs(.equal),
                                                 source: source.deviceAPI, target: deviceAPI))
        }
        if source.driver != driver {
            return .incompatible(Incompatibility(field: "driver", reason: .differs(.equal),
                                                 source: source.driver, target: driver))
        }
        for field in fields {
            guard let theirs = source[field.name] else {
                return .incompatible(Incompatibility(field: field.name, reason: .missing,
                                                     target: field.value.description))
            }
            if !field.rule.accepts(source: theirs.value, target: field.value) {
                return .incompatible(Incompatibility(field: field.name, reason: .differs(field.rule),
                                                     source: theirs.value.description,
                                                     target: field.value.description))
            }
        }
        if let extra = source.fields.first(where: { self[$0.name] == nil }) {
            return .incompatible(Incompatibility(field: extra.name, reason: .unexpected,
                                                 source: extra.value.description))
        }
        return .compatible
    }

    /// Ways this description breaks what the renderings need; empty when all is well.
    public var problems: [String] {
        var found: [String] = []
        var seen = Set<String>()
        for field in fields {
            if !seen.insert(field.name).inserted { found.append("\(field.name): appears twice") }
            if field.name.isEmpty || !field.name.allSatisfy({ $0.isASCIIDigit || ("a"..."z").contains($0) || $0 == "_" }) {
                found.append("\(field.name): names are lowercase letters, digits and _")
            }
            switch (field.rule, field.value) {
            case (.atLeast, .number(let number)) where number > CompatibilityField.longestList:
                found.append("\(field.name): at-least values above \(CompatibilityField.longestList) "
                             + "do not fit a compatible_ list")
            case (.equal, .set):
                found.append("\(field.name): equal sets would read as a superset in a compatible_ list")
            case (.atLeast, .number), (.semanticVersion, .version), (.superset, .set), (.equal, _): break
            default: found.append("\(field.name): \(field.rule.rawValue) cannot judge \(field.value)")
            }
            if field.placement == .version && (field.name != CompatibilityField.versionName || !field.value.isVersion) {
                found.append("\(field.name): the version placement holds `software_version`, a version")
            }
            if field.placement != .version && field.value.isVersion {
                found.append("\(field.name): only `software_version` holds a version")
            }
            if field.placement == .mdevType && field.name != CompatibilityField.mdevTypeName {
                found.append("\(field.name): the mdev type placement holds `mdev_type`")
            }
            if field.listMembers.contains(where: { $0.isEmpty || $0.contains(",") || $0.contains("\n") }) {
                found.append("\(field.name): values must be non-empty and free of commas and newlines")
            }
        }
        if fields.filter({ $0.placement == .version }).count != 1 {
            found.append("exactly one field has the version placement")
        }
        return found
    }
}

extension CompatibilityValue {
    var isVersion: Bool {
        if case .version = self { return true }
        return false
    }
}

extension CompatibilityField {
    /// The largest at-least value a `compatible_<field>` list enumerates.
    static let longestList: UInt64 = 256

    /// The members its `compatible_<field>` list shows: every number up to an
    /// at-least value, a set's members, or the one value, so that "the
    /// source's list is part of the target's" is exactly the rule.
    var listMembers: [String] {
        switch (rule, value) {
        case (.atLeast, .number(let number)) where number <= Self.longestList:
            return (0...number).map { String($0) }
        case (.superset, .set(let members)): return members.sorted()
        default: return [value.description]
        }
    }
}
