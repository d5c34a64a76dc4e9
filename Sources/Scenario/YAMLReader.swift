import KernelCore
import Yams

typealias YAMLNode = Yams.Node

/// Typed, line-aware access to a composed YAML document: every refusal names
/// the line of the node it is about.
struct YAMLReader {
    let file: String

    func error(_ node: YAMLNode?, _ reason: String) -> ScenarioError {
        ScenarioError(file: file, line: node?.mark?.line ?? 1, reason: reason)
    }

    func error(line: Int, _ reason: String) -> ScenarioError {
        ScenarioError(file: file, line: line, reason: reason)
    }

    /// A mapping's entries by key; refuses other node kinds, non-text keys,
    /// repeated keys and keys not in `allowed`.
    func fields(_ node: YAMLNode, of what: String, allowed: [String]) throws(ScenarioError) -> Fields {
        guard let mapping = node.mapping else { throw error(node, "\(what) must be a mapping of keys to values") }
        var fields = Fields(line: node.mark?.line ?? 1)
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw error(key, "\(what) has a key that is not text") }
            guard allowed.contains(name) else {
                throw error(key, "unknown key '\(name)' in \(what) (known: \(allowed.joined(separator: ", ")))")
            }
            let line = key.mark?.line ?? fields.line
            if let first = fields.entries[name] {
                throw error(line: line, "'\(name)' is given twice in \(what) (first at line \(first.keyLine))")
            }
            fields.entries[name] = (line, value)
        }
        return fields
    }

    func sequence(_ node: YAMLNode, what: String) throws(ScenarioError) -> [YAMLNode] {
        guard let sequence = node.sequence else { throw error(node, "\(what) must be a list") }
        return Array(sequence)
    }

    /// A scalar's text as written (quoted or not); refuses lists, mappings and empty values.
    func text(_ node: YAMLNode, what: String) throws(ScenarioError) -> String {
        guard let scalar = node.scalar else { throw error(node, "\(what) must be text, not a list or mapping") }
        if isNull(scalar) { throw error(node, "\(what) has no value") }
        return scalar.string
    }

    /// A plain whole number within `range`.
    func integer(_ node: YAMLNode, what: String, in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        guard let scalar = node.scalar, node.tag.description == Tag.Name.int.rawValue,
              let value = Int.construct(from: scalar), range.contains(value) else {
            throw error(node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A driver setting: true/false, a whole number, text, or a list of texts.
    func setting(_ node: YAMLNode, key: String) throws(ScenarioError) -> DriverSettings.Value {
        switch node {
        case .scalar(let scalar):
            if isNull(scalar) { throw error(node, "setting '\(key)' has no value") }
            let tag = node.tag.description
            if tag == Tag.Name.bool.rawValue, let value = Bool.construct(from: scalar) { return .boolean(value) }
            if tag == Tag.Name.int.rawValue {
                guard let value = Int.construct(from: scalar) else {
                    throw error(node, "setting '\(key)': \(scalar.string) does not fit in 64 bits")
                }
                return .integer(value)
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            var items: [String] = []
            for item in sequence {
                guard let scalar = item.scalar, !isNull(scalar) else {
                    throw error(item, "setting '\(key)': a list may hold only text values")
                }
                items.append(scalar.string)
            }
            return .list(items)
        case .mapping:
            throw error(node, "setting '\(key)' must be a value or a list of values, not a mapping")
        }
    }

    private func isNull(_ scalar: YAMLNode.Scalar) -> Bool {
        (scalar.style == .plain || scalar.style == .any) && YAMLNode.scalar(scalar).tag.description == Tag.Name.null.rawValue
    }
}

/// The entries of one mapping, by key, with the line of each key.
struct Fields {
    let line: Int
    var entries: [String: (keyLine: Int, value: YAMLNode)] = [:]

    init(line: Int) { self.line = line }

    subscript(_ key: String) -> YAMLNode? { entries[key]?.value }

    func line(of key: String) -> Int { entries[key]?.keyLine ?? line }
}
