/// One fact that decides migration compatibility: its name, how a target
/// judges it, where the interface flavours put it, and its value.
public struct CompatibilityField: Sendable, Hashable {
    /// Where the renderings place a field.
    public enum Placement: String, Sendable, Hashable, CaseIterable {
        /// The description's version: JSON `version`, `software_version`.
        case version
        /// An ID of the exposed device: the JSON section named after the device API.
        case deviceID = "device_id"
        /// The mdev type: JSON `mdev_type`, `compatible_type`.
        case mdevType = "mdev_type"
        /// A per-instance setting userspace can copy to the target: JSON
        /// `mdev_attrs`, listed in `dynamic_resources`.
        case instance
        /// Anything else the vendor needs: JSON `vendor_fields`.
        case vendor
    }

    /// The name every rendering uses; the version is always `software_version`
    /// and the mdev type `mdev_type`.
    public let name: String
    public let rule: CompatibilityRule
    public let placement: Placement
    public let value: CompatibilityValue

    public init(name: String, rule: CompatibilityRule, placement: Placement, value: CompatibilityValue) {
        self.name = name
        self.rule = rule
        self.placement = placement
        self.value = value
    }

    public static let versionName = "software_version"
    public static let mdevTypeName = "mdev_type"

    /// The software version, judged by `rule` (`.semanticVersion`, or `.equal` for an exact match).
    public static func version(_ version: SemanticVersion, rule: CompatibilityRule = .semanticVersion) -> Self {
        Self(name: versionName, rule: rule, placement: .version, value: .version(version))
    }

    /// An ID of the exposed device, e.g. `vendor` `8086`.
    public static func deviceID(_ name: String, _ hexID: String) -> Self {
        Self(name: name, rule: .equal, placement: .deviceID, value: .text(hexID))
    }

    /// The full mdev type name, e.g. `i915-GVTg_V5_4`; always equal.
    public static func mdevType(_ typeID: String) -> Self {
        Self(name: mdevTypeName, rule: .equal, placement: .mdevType, value: .text(typeID))
    }
}
