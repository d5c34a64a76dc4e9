import Support
/// A `migration_version` format of dash-separated parts, e.g. GVT's
/// `%04x-%04x-%s-%08x`: literals and fields, each field in one format. Only
/// the last part may itself contain dashes (`.rest`).
public struct TemplateCodec: MigrationVersionCodec {
    public enum Part: Sendable {
        case literal(String)
        case field(String, Format)
    }

    public enum Format: Sendable {
        /// Text of exactly `digits` lowercase hex digits (`%04x` of an ID).
        case hexText(digits: Int)
        /// Text of 1...`maxLength` characters without a dash; the value carries `prefix` in front.
        case token(prefix: String = "", maxLength: Int)
        /// A version as `M.m.b`.
        case version
        /// A version `N.0.0` printed as `digits` hex digits of N.
        case hexMajor(digits: Int)
        /// A number in decimal.
        case decimal
        /// A set of names printed as a `digits`-hex-digit mask of their bits.
        case mask(digits: Int, bits: [Int: String])
        /// Text: everything left, dashes included; must be the last part.
        case rest
    }

    public let schema: CompatibilitySchema
    public let parts: [Part]

    public init(schema: CompatibilitySchema, parts: [Part]) {
        self.schema = schema
        self.parts = parts
    }

    public var driver: String { schema.driver }

    public func render(_ description: CompatibilityDescription) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): return text
            case .field(let name, let format): return description[name].map { format.render($0.value) } ?? ""
            }
        }.joined(separator: "-")
    }

    /// A field as the string shows it, except that a mask shows its members' names.
    public func display(_ field: CompatibilityField) -> String {
        for case .field(let name, let format) in parts where name == field.name {
            if case .mask = format { break }
            return format.render(field.value)
        }
        return field.value.description
    }

    public func parse(_ text: String) throws(Incompatibility) -> CompatibilityDescription {
        var tokens = ArraySlice(text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
            .map { Substring($0) })
        var values: [String: CompatibilityValue] = [:]
        var parsed: [(name: String, format: Format, token: Substring)] = []
        for part in parts {
            switch part {
            case .literal(let literal):
                let count = literal.utf8.count { $0 == UInt8(ascii: "-") } + 1
                let matches = count == 1 ? tokens.first == literal[...] : tokens.prefix(count).joined(separator: "-") == literal
                guard matches else { throw .format("expected `\(literal)`") }
                tokens = tokens.dropFirst(count)
            case .field(let name, let format):
                guard !tokens.isEmpty else { throw .format("\(name) missing") }
                let token: Substring
                if case .rest = format {
                    token = Substring(tokens.joined(separator: "-"))
                    tokens = []
                } else {
                    token = tokens.removeFirst()
                }
                do throws(FormatFailure) {
                    values[name] = try format.parse(token)
                } catch {
                    throw .format("\(name) `\(token.prefix(64))`: \(error.reason)")
                }
                parsed.append((name, format, token))
            }
        }
        guard tokens.isEmpty else { throw .format("unexpected text after the last field") }
        let description = schema.describe(values)
        // Literals matched as they are; the string is canonical when every field renders back to its text.
        for field in parsed where description[field.name].map({ field.format.render($0.value) }) != String(field.token) {
            throw .format("not in the driver's canonical form")
        }
        return description
    }
}

extension TemplateCodec.Format {
    func render(_ value: CompatibilityValue) -> String {
        switch (self, value) {
        case (.hexText, .text(let text)), (.rest, .text(let text)): return text
        case (.token(let prefix, _), .text(let text)): return String(text.dropFirst(prefix.count))
        case (.version, .version(let version)): return version.description
        case (.hexMajor(let digits), .version(let version)): return hex(version.major, digits)
        case (.decimal, .number(let number)): return String(number)
        case (.mask(let digits, let bits), .set(let members)):
            let mask = bits.reduce(UInt64(0)) { mask, bit in
                members.contains(bit.value) && bit.key < 64 ? mask | (1 << UInt64(bit.key)) : mask
            }
            return hex(mask, digits)
        default: return value.description
        }
    }

    func parse(_ token: Substring) throws(FormatFailure) -> CompatibilityValue {
        switch self {
        case .hexText(let digits):
            guard token.utf8.count == digits, token.utf8.allSatisfy({ $0.isLowercaseHexDigit }) else {
                throw FormatFailure(reason: "expected \(digits) lowercase hex digits")
            }
            return .text(String(token))
        case .token(let prefix, let maxLength):
            guard (1...max(1, maxLength)).contains(token.count) else {
                throw FormatFailure(reason: "expected 1 to \(maxLength) characters")
            }
            return .text(prefix + token)
        case .version:
            guard let version = SemanticVersion(token) else { throw FormatFailure(reason: "expected major.minor.bugfix") }
            return .version(version)
        case .hexMajor(let digits):
            guard token.utf8.count == digits, token.utf8.allSatisfy({ $0.isLowercaseHexDigit }),
                  let major = UInt32(token, radix: 16) else {
                throw FormatFailure(reason: "expected \(digits) lowercase hex digits")
            }
            return .version(SemanticVersion(major))
        case .decimal:
            guard let first = token.utf8.first, token.utf8.allSatisfy({ $0.isASCIIDigit }),
                  first != UInt8(ascii: "0") || token.utf8.count == 1,
                  let number = UInt64(token) else { throw FormatFailure(reason: "expected a decimal number") }
            return .number(number)
        case .mask(let digits, let bits):
            guard token.utf8.count == digits, token.utf8.allSatisfy({ $0.isLowercaseHexDigit }),
                  let mask = UInt64(token, radix: 16) else {
                throw FormatFailure(reason: "expected \(digits) lowercase hex digits")
            }
            var members = Set<String>()
            for bit in 0..<64 where mask & (1 << UInt64(bit)) != 0 {
                guard let name = bits[bit] else { throw FormatFailure(reason: "unknown bit \(bit)") }
                members.insert(name)
            }
            return .set(members)
        case .rest:
            guard !token.isEmpty else { throw FormatFailure(reason: "empty") }
            return .text(String(token))
        }
    }
}
