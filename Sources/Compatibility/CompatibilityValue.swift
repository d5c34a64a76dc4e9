/// The value of one compatibility field.
public enum CompatibilityValue: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case number(UInt64)
    case version(SemanticVersion)
    case set(Set<String>)

    /// How messages and list-style renderings show it; a set is sorted and comma-separated.
    public var description: String {
        switch self {
        case .text(let text): return text
        case .number(let number): return String(number)
        case .version(let version): return version.description
        case .set(let members): return members.sorted().joined(separator: ", ")
        }
    }
}

/// How a target judges a source's value of one field.
public enum CompatibilityRule: String, Sendable, CaseIterable, Hashable {
    /// The values must be identical.
    case equal
    /// Numbers: the target's must be at least the source's.
    case atLeast = "at_least"
    /// Versions: same major, target minor at least the source's, bugfix ignored.
    case semanticVersion = "semantic_version"
    /// Sets: the target must have every member the source has.
    case superset

    public func accepts(source: CompatibilityValue, target: CompatibilityValue) -> Bool {
        switch (self, source, target) {
        case (.equal, _, _): return source == target
        case (.atLeast, .number(let source), .number(let target)): return target >= source
        case (.semanticVersion, .version(let source), .version(let target)): return target.accepts(source)
        case (.superset, .set(let source), .set(let target)): return source.isSubset(of: target)
        default: return false
        }
    }

    /// The rule in words, for explanations.
    public var explanation: String {
        switch self {
        case .equal: return "must be equal"
        case .atLeast: return "the target's must be at least the source's"
        case .semanticVersion: return "same major, the target's minor at least the source's"
        case .superset: return "the target must have everything the source has"
        }
    }
}
