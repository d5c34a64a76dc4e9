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
    public init?(_ text: some StringProtocol) {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
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

    private static func component(_ digits: some Collection<UInt8>) -> UInt32? {
        guard let first = digits.first, first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard digit.isASCIIDigit else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(UInt32(digit - UInt8(ascii: "0")))
            if overflow || carry { return nil }
            value = sum
        }
        return value
    }
}

extension UInt8 {
    var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isLowercaseHexDigit: Bool { isASCIIDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f")) }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue?.isASCIIDigit ?? false }
}
