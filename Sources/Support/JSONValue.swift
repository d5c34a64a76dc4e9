/// The JSON the compatibility object and the tools' reports need: objects
/// keep their key order, numbers are whole and non-negative.
public enum JSONValue: Equatable, Sendable {
    case object([Member])
    case array([JSONValue])
    case string(String)
    case number(UInt64)
    case bool(Bool)
    case null

    public struct Member: Equatable, Sendable {
        public let key: String
        public let value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// One line, `", "` and `": "` between items.
    public var text: String {
        switch self {
        case .object(let members):
            return "{" + members.map { JSONQuoting.quoted($0.key) + ": " + $0.value.text }.joined(separator: ", ") + "}"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .string(let string): return JSONQuoting.quoted(string)
        case .number(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }


    /// Parses a whole document; the reason names what was wrong and where.
    public static func parse(_ text: String) throws(FormatFailure) -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.failure("text after the JSON value") }
        return value
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var position = 0
    static let maxDepth = 16

    init(bytes: [UInt8]) { self.bytes = bytes }

    func failure(_ reason: String) -> FormatFailure {
        FormatFailure(reason: "\(reason) at byte \(position)")
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    mutating func value(depth: Int) throws(FormatFailure) -> JSONValue {
        guard depth < Self.maxDepth else { throw failure("nested too deeply") }
        skipSpace()
        guard position < bytes.count else { throw failure("unexpected end") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"): throw failure("negative numbers are not used")
        default: throw failure("unexpected character")
        }
    }

    mutating func object(depth: Int) throws(FormatFailure) -> JSONValue {
        position += 1
        var members: [JSONValue.Member] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let key = try string()
            guard !members.contains(where: { $0.key == key }) else { throw failure("duplicate key `\(key)`") }
            skipSpace()
            try expect(":")
            members.append(JSONValue.Member(key: key, value: try value(depth: depth + 1)))
            skipSpace()
            if try endOrComma("}") { return .object(members) }
        }
    }

    mutating func array(depth: Int) throws(FormatFailure) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            items.append(try value(depth: depth + 1))
            skipSpace()
            if try endOrComma("]") { return .array(items) }
        }
    }

    /// True at the closing bracket, false after a comma.
    mutating func endOrComma(_ close: Unicode.Scalar) throws(FormatFailure) -> Bool {
        guard position < bytes.count else { throw failure("unexpected end") }
        if bytes[position] == UInt8(ascii: close) { position += 1; return true }
        try expect(",")
        return false
    }

    mutating func expect(_ character: Unicode.Scalar) throws(FormatFailure) {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else {
            throw failure("expected `\(character)`")
        }
        position += 1
    }

    mutating func literal(_ word: String) throws(FormatFailure) {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count,
              Array(bytes[position..<position + expected.count]) == expected else { throw failure("unexpected word") }
        position += expected.count
    }

    mutating func number() throws(FormatFailure) -> UInt64 {
        let start = position
        var value: UInt64 = 0
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { throw failure("number too large") }
            value = sum
            position += 1
        }
        guard position - start == 1 || bytes[start] != UInt8(ascii: "0") else { throw failure("leading zero") }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw failure("only whole numbers are used")
        }
        return value
    }

    mutating func string() throws(FormatFailure) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() -> Bool {
            guard !raw.isEmpty else { return true }
            guard let text = String(validating: raw, as: UTF8.self) else { return false }
            scalars.append(contentsOf: text.unicodeScalars)
            raw.removeAll()
            return true
        }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard flush() else { throw failure("invalid UTF-8") }
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard flush() else { throw failure("invalid UTF-8") }
                scalars.append(try escape())
            case 0..<0x20:
                throw failure("control character in a string")
            default:
                raw.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    mutating func escape() throws(FormatFailure) -> Unicode.Scalar {
        guard position < bytes.count else { throw failure("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0c}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hexQuad()
            if (0xd800..<0xdc00).contains(high) {
                try expect("\\")
                try expect("u")
                let low = try hexQuad()
                guard (0xdc00..<0xe000).contains(low),
                      let scalar = Unicode.Scalar(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)) else {
                    throw failure("invalid surrogate pair")
                }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw failure("invalid \\u escape") }
            return scalar
        default: throw failure("unknown escape")
        }
    }

    mutating func hexQuad() throws(FormatFailure) -> UInt32 {
        guard bytes.count - position >= 4,
              bytes[position..<position + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
              let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw failure("expected four hex digits")
        }
        position += 4
        return value
    }
}
