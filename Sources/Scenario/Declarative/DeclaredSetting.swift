import Compatibility
import KernelCore

/// One setting of a declared driver: its kind (with the validation that
/// comes with it), its default, and what it means.
public struct DeclaredSetting: Sendable {
    public enum Kind: Sendable {
        case version
        case integer(ClosedRange<Int>)
        case boolean
        /// Printable text without spaces, up to the length.
        case text(maxLength: Int)
        /// Like text, without dashes either: fits one part of a `migration_version`.
        case token(maxLength: Int)
        case choice([String])
        /// `scheme://host[:port]/path` with one of the schemes.
        case url(schemes: [String])
        /// A set of names from `members`; in a template's mask, member `i` is bit `i`.
        case mask(members: [String])
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: DeclaredValue
    public var meaning: String

    /// The value a scenario gives, checked.
    func value(from given: DriverSettings.Value) -> Result<DeclaredValue, SettingsError> {
        switch (kind, given) {
        case (.integer, .integer(let number)): return check(.number(number))
        case (.boolean, .boolean(let flag)): return .success(.boolean(flag))
        case (.mask, .list(let names)): return check(.set(Set(names)))
        case (_, .string(let text)): return parse(text)
        case (_, .integer(let number)): return parse(String(number))
        default: return .failure(SettingsError(key: name, reason: "expected \(expectation)"))
        }
    }

    /// The value from text, as a store, `ctl update` or saved state gives it.
    func parse(_ text: String) -> Result<DeclaredValue, SettingsError> {
        switch kind {
        case .version:
            guard let version = SemanticVersion(text) else { return .failure(problem()) }
            return .success(.version(version))
        case .integer:
            guard let number = Int(text) else { return .failure(problem()) }
            return check(.number(number))
        case .boolean:
            switch text {
            case "true", "1": return .success(.boolean(true))
            case "false", "0": return .success(.boolean(false))
            default: return .failure(problem())
            }
        case .mask:
            return check(.set(Set(text.split(separator: ",").map { String($0) })))
        case .text, .token, .choice, .url:
            return check(.text(text))
        }
    }

    private func check(_ value: DeclaredValue) -> Result<DeclaredValue, SettingsError> {
        switch (kind, value) {
        case (.integer(let range), .number(let number)):
            guard range.contains(number) else {
                return .failure(SettingsError(key: name, reason: "expected \(range.lowerBound) to \(range.upperBound), got \(number)"))
            }
        case (.text(let maxLength), .text(let text)):
            guard !text.isEmpty, text.utf8.count <= maxLength, text.utf8.allSatisfy({ (0x21..<0x7f).contains($0) }) else {
                return .failure(problem())
            }
        case (.token(let maxLength), .text(let text)):
            guard !text.isEmpty, text.utf8.count <= maxLength,
                  text.utf8.allSatisfy({ (0x21..<0x7f).contains($0) && $0 != UInt8(ascii: "-") }) else {
                return .failure(problem())
            }
        case (.choice(let choices), .text(let text)):
            guard choices.contains(text) else { return .failure(problem()) }
        case (.url(let schemes), .text(let text)):
            if let reason = DeclaredSetting.urlProblem(text, schemes: schemes) {
                return .failure(SettingsError(key: name, reason: reason))
            }
        case (.mask(let members), .set(let names)):
            if let unknown = names.sorted().first(where: { !members.contains($0) }) {
                return .failure(SettingsError(key: name, reason: "unknown member '\(unknown)' (known: \(members.joined(separator: ", ")))"))
            }
        default: break
        }
        return .success(value)
    }

    private func problem() -> SettingsError { SettingsError(key: name, reason: "expected \(expectation)") }

    var expectation: String {
        switch kind {
        case .version: return "major.minor.bugfix, e.g. 1.0.0"
        case .integer(let range): return "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .boolean: return "true or false"
        case .text(let maxLength): return "1 to \(maxLength) printable characters without spaces"
        case .token(let maxLength): return "1 to \(maxLength) printable characters without spaces or dashes"
        case .choice(let choices): return "one of \(choices.joined(separator: ", "))"
        case .url(let schemes): return "a URL \(schemes.joined(separator: "|"))://host[:port]/path"
        case .mask(let members): return "a list of \(members.joined(separator: ", "))"
        }
    }

    /// Nil for `scheme://host[:port]/path` with a known scheme, printable ASCII
    /// without spaces or commas; otherwise why not.
    static func urlProblem(_ text: String, schemes: [String]) -> String? {
        guard text.utf8.allSatisfy({ (0x21..<0x7f).contains($0) && $0 != UInt8(ascii: ",") }) else {
            return "only printable ASCII without spaces or commas"
        }
        guard let schemeEnd = text.firstRange(of: "://") else { return "expected <scheme>://<host>[:<port>]/<path>" }
        guard schemes.contains(String(text[..<schemeEnd.lowerBound])) else {
            return "scheme must be \(schemes.joined(separator: " or "))"
        }
        let rest = text[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(of: "/"), slash > rest.startIndex else { return "expected a host before the path" }
        let authority = rest[..<slash]
        if !authority.hasPrefix("["), let colon = authority.lastIndex(of: ":") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), port.first != "0", (1...65535).contains(number) else { return "port must be 1 to 65535" }
        }
        guard rest.index(after: slash) < rest.endIndex else { return "expected a path after the host" }
        return nil
    }
}

/// A setting's value.
public enum DeclaredValue: Sendable, Equatable {
    case text(String)
    case number(Int)
    case boolean(Bool)
    case version(SemanticVersion)
    case set(Set<String>)

    /// How templates and saved state show it (a set as its sorted members, comma-separated).
    var text: String {
        switch self {
        case .text(let text): return text
        case .number(let number): return String(number)
        case .boolean(let flag): return flag ? "1" : "0"
        case .version(let version): return version.description
        case .set(let members): return members.sorted().joined(separator: ",")
        }
    }

    var compatibilityValue: CompatibilityValue {
        switch self {
        case .text(let text): return .text(text)
        case .number(let number): return .number(UInt64(clamping: number))
        case .boolean(let flag): return .text(flag ? "1" : "0")
        case .version(let version): return .version(version)
        case .set(let members): return .set(members)
        }
    }
}
