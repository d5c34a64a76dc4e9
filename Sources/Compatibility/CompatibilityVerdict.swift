/// Whether a target accepts a source, and if not, the first reason.
public enum CompatibilityVerdict: Sendable, Equatable {
    case compatible
    case incompatible(Incompatibility)

    public var isCompatible: Bool { self == .compatible }

    public var incompatibility: Incompatibility? {
        if case .incompatible(let reason) = self { return reason }
        return nil
    }
}

/// Why a target refuses a source: the field and both sides' values.
public struct Incompatibility: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The source could not be read as a description at all.
        case format(String)
        /// Both describe the field; the rule refuses the pair.
        case differs(CompatibilityRule)
        /// The target judges a field the source does not describe.
        case missing
        /// The source describes a field the target does not know.
        case unexpected
        /// The interface could not be used at all (missing attribute, failed read).
        case unavailable(String)
    }

    /// The field's name; `format` for an unreadable source.
    public let field: String
    public let reason: Reason
    public let source: String?
    public let target: String?

    public init(field: String, reason: Reason, source: String? = nil, target: String? = nil) {
        self.field = field
        self.reason = reason
        self.source = source
        self.target = target
    }

    public static func format(_ detail: String) -> Incompatibility {
        Incompatibility(field: "format", reason: .format(detail))
    }

    public var description: String {
        switch reason {
        case .format(let detail):
            return "wrong string format: \(detail)"
        case .differs(let rule):
            return "\(field) not matched: source \(source ?? "-"), target \(target ?? "-") (\(rule.explanation))"
        case .missing:
            return "\(field) not described by the source (target \(target ?? "-"))"
        case .unexpected:
            return "\(field) unknown to the target (source \(source ?? "-"))"
        case .unavailable(let detail):
            return "\(field) unavailable: \(detail)"
        }
    }
}
