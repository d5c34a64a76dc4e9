/// The renderings of a driver's compatibility description a host may expose.
public enum InterfaceFlavour: String, Sendable, CaseIterable, Codable {
    /// The opaque `migration_version` read-and-test attribute (2019–2020 patch series).
    case migrationVersion = "migration_version"
    /// The parseable JSON compatibility object (July 2020 proposal).
    case json
    /// `software_version`, `compatible_type`, `compatible_<field>`, `dynamic_resources` (September 2020).
    case compatible
}

extension InterfaceFlavour {
    /// The attribute that carries the flavour, or for `compatible` the one every device has.
    public var attributeName: String {
        switch self {
        case .migrationVersion: return "migration_version"
        case .json: return CompatibilityJSON.attributeName
        case .compatible: return CompatibleAttributes.versionName
        }
    }
}
