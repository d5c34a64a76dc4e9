import Support
/// The `compatible` flavour (Yan Zhao, September 2020): one read-only value
/// per file, lists separated by a comma and a space.
///
/// - `device_api` (the core's own on a type node);
/// - `software_version`, `major.minor.bugfix`: same major, target minor at least the source's;
/// - `compatible_type` for the mdev type, `compatible_driver` for the vendor
///   driver, `compatible_<field>` for every other field: the source's list must
///   be part of the target's (an at-least number lists every value up to it, a
///   superset its members, anything else its one value; an exact version also
///   shows as `compatible_software_version`);
/// - `dynamic_resources`: the per-instance fields userspace may copy to a target.
public enum CompatibleAttributes {
    public static let versionName = "software_version"
    public static let dynamicResourcesName = "dynamic_resources"
    public static let listPrefix = "compatible_"

    /// The attributes and their values (without the newline), in judging order.
    public static func render(_ description: CompatibilityDescription) -> [(name: String, value: String)] {
        var attributes: [(name: String, value: String)] = [
            ("device_api", description.deviceAPI),
            (listPrefix + "driver", description.driver),
        ]
        for field in description.fields {
            switch field.placement {
            case .version:
                attributes.append((versionName, field.value.description))
                if field.rule != .semanticVersion {
                    attributes.append((listPrefix + versionName, field.listMembers.joined(separator: ", ")))
                }
            case .mdevType:
                attributes.append((listPrefix + "type", field.value.description))
            case .deviceID, .instance, .vendor:
                attributes.append((listPrefix + field.name, field.listMembers.joined(separator: ", ")))
            }
        }
        let dynamic = description.fields.filter { $0.placement == .instance }.map(\.name)
        attributes.append((dynamicResourcesName, dynamic.joined(separator: ", ")))
        return attributes
    }

    /// The attributes every description of `schema` renders, in order.
    public static func names(of schema: CompatibilitySchema) -> [String] {
        let sample = CompatibilityDescription(deviceAPI: schema.deviceAPI, driver: schema.driver, fields: schema.fields.map {
            let value: CompatibilityValue
            switch ($0.placement, $0.rule) {
            case (.version, _), (_, .semanticVersion): value = .version(SemanticVersion(0))
            case (_, .atLeast): value = .number(0)
            case (_, .superset): value = .set([])
            default: value = .text("")
            }
            return CompatibilityField(name: $0.name, rule: $0.rule, placement: $0.placement, value: value)
        })
        return render(sample).map(\.name)
    }

    /// The management side's rules over what both devices show, in the
    /// target's order: equal `device_api`; `software_version` by the semantic
    /// version rule; every `compatible_*` list of the source part of the
    /// target's, with the same set of lists on both. `dynamic_resources`
    /// only advises. Fields are named as in the description.
    public static func judge(source: [(name: String, value: String)],
                             target: [(name: String, value: String)]) -> CompatibilityVerdict {
        let sources = Dictionary(source.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let targets = Set(target.map(\.name))
        for (name, targetValue) in target where name != dynamicResourcesName {
            let field = fieldName(name)
            guard let sourceValue = sources[name] else {
                return .incompatible(Incompatibility(field: field, reason: .missing, target: targetValue))
            }
            let rule: CompatibilityRule
            let accepted: Bool
            switch name {
            case "device_api":
                rule = .equal
                accepted = sourceValue == targetValue
            case versionName:
                rule = .semanticVersion
                if let theirs = SemanticVersion(sourceValue), let ours = SemanticVersion(targetValue) {
                    accepted = ours.accepts(theirs)
                } else {
                    accepted = false
                }
            default:
                rule = .superset
                accepted = Set(list(sourceValue)).isSubset(of: Set(list(targetValue)))
            }
            if !accepted {
                return .incompatible(Incompatibility(field: field, reason: .differs(rule),
                                                     source: sourceValue, target: targetValue))
            }
        }
        if let extra = source.first(where: { $0.name != dynamicResourcesName && !targets.contains($0.name) }) {
            return .incompatible(Incompatibility(field: fieldName(extra.name), reason: .unexpected, source: extra.value))
        }
        return .compatible
    }

    /// `a, b,c` → `[a, b, c]`; empty items are dropped.
    public static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimming(" ", "\t") }.filter { !$0.isEmpty }
    }

    /// Whether `name` is an attribute this flavour owns.
    public static func isFlavourAttribute(_ name: String) -> Bool {
        name == versionName || name == dynamicResourcesName || name.hasPrefix(listPrefix)
    }

    static func fieldName(_ attribute: String) -> String {
        switch attribute {
        case listPrefix + "type": return CompatibilityField.mdevTypeName
        case listPrefix + versionName: return versionName
        default: return attribute.hasPrefix(listPrefix) ? String(attribute.dropFirst(listPrefix.count)) : attribute
        }
    }
}
