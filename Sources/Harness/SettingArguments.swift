import KernelCore
import Scenario
import Yams

/// Driver settings given as `KEY=VALUE` words, each value read as a scenario
/// file reads it: true/false, a whole number, a `[list, of, texts]`, or text.
enum SettingArguments {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `KEY=` (nothing after `=`) removes the key, so the driver's default applies.
    static func parse(_ words: [String]) throws(Failure) -> (set: [String: DriverSettings.Value], removed: [String]) {
        var set: [String: DriverSettings.Value] = [:]
        var removed: [String] = []
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw Failure(description: "'\(word)' is not KEY=VALUE")
            }
            let key = String(word[..<equals])
            let text = String(word[word.index(after: equals)...])
            if text.isEmpty {
                removed.append(key)
            } else {
                set[key] = try value(text, key: key)
            }
        }
        return (set, removed)
    }

    static func value(_ text: String, key: String) throws(Failure) -> DriverSettings.Value {
        do throws(YAMLShape.Excess) {
            try YAMLShape.check(text)
        } catch {
            throw Failure(description: "\(key): \(error.reason)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            return .string(text)
        }
        switch node {
        case .scalar(let scalar)?:
            let tag = node?.tag.description
            if tag == Tag.Name.bool.rawValue, let value = Bool.construct(from: scalar) { return .boolean(value) }
            if tag == Tag.Name.int.rawValue {
                guard let value = Int.construct(from: scalar) else {
                    throw Failure(description: "\(key): \(text) does not fit in 64 bits")
                }
                return .integer(value)
            }
            return .string(scalar.string)
        case .sequence(let sequence)?:
            var items: [String] = []
            for item in sequence {
                guard let scalar = item.scalar else { throw Failure(description: "\(key): a list may hold only text values") }
                items.append(scalar.string)
            }
            return .list(items)
        default:
            return .string(text)
        }
    }
}
