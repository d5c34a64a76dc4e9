/// A driver's `migration_version` string format: renders a description and
/// reads one back. Parsing accepts only what `render` produces, so reading a
/// string and judging it is the same as comparing strings exactly.
public protocol MigrationVersionCodec: Sendable {
    /// The driver the strings belong to, e.g. `i915`.
    var driver: String { get }
    func render(_ description: CompatibilityDescription) -> String
    func parse(_ text: String) throws(Incompatibility) -> CompatibilityDescription
    /// How the string shows one field's value, for explanations.
    func display(_ field: CompatibilityField) -> String
}

extension MigrationVersionCodec {
    public func display(_ field: CompatibilityField) -> String { field.value.description }

    /// The verdict on `source` with both values shown as the strings show them.
    public func judge(_ source: CompatibilityDescription, target: CompatibilityDescription) -> CompatibilityVerdict {
        let verdict = target.judge(source)
        guard let reason = verdict.incompatibility, case .differs = reason.reason else { return verdict }
        return .incompatible(Incompatibility(field: reason.field, reason: reason.reason,
                                             source: source[reason.field].map(display) ?? reason.source,
                                             target: target[reason.field].map(display) ?? reason.target))
    }
}

/// A driver factory whose devices speak `migration_version`: the catalog
/// uses its codec to explain strings (`fakesysfs check`).
public protocol MigrationVersionCodecProvider {
    static var migrationVersionCodec: any MigrationVersionCodec { get }
}

/// The field list a driver's descriptions always have, in judging order.
public struct CompatibilitySchema: Sendable {
    public struct Field: Sendable {
        public let name: String
        public let rule: CompatibilityRule
        public let placement: CompatibilityField.Placement

        public init(_ name: String, _ rule: CompatibilityRule, _ placement: CompatibilityField.Placement) {
            self.name = name
            self.rule = rule
            self.placement = placement
        }
    }

    public let deviceAPI: String
    public let driver: String
    public let fields: [Field]

    public init(deviceAPI: String = "vfio-pci", driver: String, fields: [Field]) {
        self.deviceAPI = deviceAPI
        self.driver = driver
        self.fields = fields
    }

    /// A description with these fields and the given values; a field without a value is left out.
    public func describe(_ values: [String: CompatibilityValue]) -> CompatibilityDescription {
        CompatibilityDescription(deviceAPI: deviceAPI, driver: driver, fields: fields.compactMap { field in
            values[field.name].map {
                CompatibilityField(name: field.name, rule: field.rule, placement: field.placement, value: $0)
            }
        })
    }
}

extension Sequence where Element == any MigrationVersionCodec {
    /// The first codec that reads `text`, with what it read.
    public func decode(_ text: String) -> (codec: any MigrationVersionCodec, description: CompatibilityDescription)? {
        for codec in self {
            if let description = try? codec.parse(text) { return (codec, description) }
        }
        return nil
    }
}
