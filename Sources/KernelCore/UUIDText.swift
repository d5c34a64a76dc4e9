import SystemPackage
import SysfsTree

/// An mdev UUID as `create` parses it and `%pUl` prints it.
public struct MdevUUID: Hashable, Sendable, CustomStringConvertible {
    /// Lowercase, 36 characters.
    public let description: String

    /// `create_store`: 36 bytes, or 37 with anything as the last (the newline
    /// is not checked); then `uuid_is_valid` on the first 36: dashes at 8, 13,
    /// 18 and 23, hex digits (either case) elsewhere. Anything else is EINVAL.
    public init(parsing input: StoreInput) throws(Errno) {
        guard input.count == 36 || input.count == 37 else { throw .invalidArgument }
        try self.init(bytes: input.bytes.prefix(36))
    }

    public init?(_ text: String) {
        guard let parsed = try? MdevUUID(bytes: Array(text.utf8)[...]) else { return nil }
        self = parsed
    }

    private init(bytes: ArraySlice<UInt8>) throws(Errno) {
        guard bytes.count == 36 else { throw .invalidArgument }
        var text = ""
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { throw .invalidArgument }
                text.append("-")
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                text.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                text.append(Character(Unicode.Scalar(byte + 0x20)))
            default:
                throw .invalidArgument
            }
        }
        description = text
    }
}
