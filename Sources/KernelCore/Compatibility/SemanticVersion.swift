/// `major.minor.bugfix`, judged as the 2020 proposals settled it: the target
/// accepts a source of the same major whose minor is not newer than its own;
/// bugfix never matters.
public struct SemanticVersion: Sendable, Hashable, CustomStringConvertible {
    public let major: UInt32
    public let minor: UInt32
    public let bugfix: UInt32

    public init(_ major: UInt32, _ minor: UInt32 = 0, _ bugfix: UInt32 = 0) {
        self.major = major
        self.minor = minor
        self.bugfix = bugfix
    }

    /// Parses exactly `M.m.b`: three decimal numbers without signs or leading zeros.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let major = Self.component(parts[0]), let minor = Self.component(parts[1]),
              let bugfix = Self.component(parts[2]) else { return nil }
        self.init(major, minor, bugfix)
    }

    public var description: String { "\(major).\(minor).\(bugfix)" }

    /// Whether a device at this version can take the state of one at `source`.
    public func accepts(_ source: SemanticVersion) -> Bool {
        major == source.major && minor >= source.minor
    }

    private static func component(_ text: Substring) -> UInt32? {
        guard let first = text.first, text.allSatisfy(\.isASCIIDigit),
              first != "0" || text.count == 1 else { return nil }
        return UInt32(text)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isLowercaseHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) }
}
