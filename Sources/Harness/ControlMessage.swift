import Foundation

/// One control command as it travels over the socket: its words, as typed after the mount point.
public struct ControlRequest: Codable, Sendable, Equatable {
    public var arguments: [String]

    public init(arguments: [String]) { self.arguments = arguments }
}

/// The answer: exit status 0 with what to print, or non-zero with the reason.
public struct ControlReply: Codable, Sendable, Equatable {
    public var status: Int32
    public var output: String
    public var error: String

    public init(status: Int32 = 0, output: String = "", error: String = "") {
        self.status = status
        self.output = output
        self.error = error
    }

    public static func failure(_ message: String, status: Int32 = 1) -> ControlReply {
        ControlReply(status: status, error: message)
    }
}

/// Messages are one JSON object per line.
enum ControlWire {
    static let maximumBytes = 1 << 20

    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }
}
