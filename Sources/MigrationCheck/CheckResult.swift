import Compatibility
import Support

/// The outcome of checking one source against one target.
public struct CheckResult: Sendable, Equatable {
    public let flavour: InterfaceFlavour
    public let source: String
    public let target: String
    public let verdict: CompatibilityVerdict
    /// What the management side saw happen, e.g. the failed write and its errno.
    public let observation: String?
    /// What the target would need, e.g. which dynamic resource to copy.
    public let hint: String?
    /// The texts compared (`migration_version` strings, JSON objects).
    public let sourceText: String?
    public let targetText: String?

    public init(flavour: InterfaceFlavour, source: String, target: String, verdict: CompatibilityVerdict,
                observation: String? = nil, hint: String? = nil, sourceText: String? = nil, targetText: String? = nil) {
        self.flavour = flavour
        self.source = source
        self.target = target
        self.verdict = verdict
        self.observation = observation
        self.hint = hint
        self.sourceText = sourceText
        self.targetText = targetText
    }

    public var isCompatible: Bool { verdict.isCompatible }

    /// One line: `compatible` or `incompatible: <reason>`.
    public var summary: String {
        switch verdict {
        case .compatible: return "compatible"
        case .incompatible(let reason): return "incompatible: \(reason)"
        }
    }

    /// The lines `fakesysfs check` prints.
    public var report: String {
        let verdictLine = isCompatible ? "compatible (\(flavour.rawValue))"
            : "incompatible (\(flavour.rawValue)): \(verdict.incompatibility?.description ?? "")"
        var lines = [verdictLine, "source: \(source)", "target: \(target)"]
        if let observation { lines.append(observation) }
        if let sourceText { lines.append("source \(flavour.attributeName): \(sourceText)") }
        if let targetText { lines.append("target \(flavour.attributeName): \(targetText)") }
        if let hint { lines.append("hint: \(hint)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The object `fakesysfs check --json` prints.
    public var json: JSONValue {
        var members: [JSONValue.Member] = [
            .init(key: "compatible", value: .bool(isCompatible)),
            .init(key: "flavour", value: .string(flavour.rawValue)),
            .init(key: "source", value: .string(source)),
            .init(key: "target", value: .string(target)),
        ]
        if let reason = verdict.incompatibility {
            members.append(.init(key: "field", value: .string(reason.field)))
            members.append(.init(key: "source_value", value: reason.source.map(JSONValue.string) ?? .null))
            members.append(.init(key: "target_value", value: reason.target.map(JSONValue.string) ?? .null))
            members.append(.init(key: "reason", value: .string(reason.description)))
        }
        if let observation { members.append(.init(key: "observation", value: .string(observation))) }
        if let hint { members.append(.init(key: "hint", value: .string(hint))) }
        return .object(members)
    }
}
