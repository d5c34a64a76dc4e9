import SystemPackage
import SysfsTree

/// What a write to a device's `uevent` asks for, parsed as
/// `kobject_synth_uevent` (lib/kobject_uevent.c) parses it:
/// `ACTION [UUID [KEY=VALUE ...]]`, one trailing `\n` or NUL allowed.
/// Anything else is EINVAL.
struct SyntheticUEvent {
    let action: UEvent.Action
    /// `SYNTH_UUID=0` without arguments, else `SYNTH_UUID=<uuid>` and one `SYNTH_ARG_<KEY>=<VALUE>` per pair.
    let properties: [(String, String)]

    /// `struct kobj_uevent_env` holds at most 64 variables in 2048 bytes.
    private static let maximumVariables = 64
    private static let environmentSize = 2048

    init(parsing input: StoreInput) throws(Errno) {
        let buffer = input.bytes
        var count = buffer.count
        if let last = buffer.last, last == UInt8(ascii: "\n") || last == 0 { count -= 1 }
        guard count > 0 else { throw .invalidArgument }

        let region = buffer[..<count]
        let space = region.prefix(while: { $0 != 0 }).firstIndex(of: UInt8(ascii: " "))
        let word = region[..<(space ?? count)]
        guard let action = UEvent.Action.allCases.first(where: { Array($0.rawValue.utf8)[...] == word }) else {
            throw .invalidArgument
        }
        self.action = action
        guard let space else {
            properties = [("SYNTH_UUID", "0")]
            return
        }
        properties = try SyntheticUEvent.arguments(buffer[(space + 1)...])
    }

    /// `kobject_action_args`: a UUID, then ` KEY=VALUE` pairs of letters and digits.
    private static func arguments(_ arguments: ArraySlice<UInt8>) throws(Errno) -> [(String, String)] {
        var arguments = arguments
        if let last = arguments.last, last == UInt8(ascii: "\n") || last == 0 { arguments = arguments.dropLast() }
        guard arguments.count >= 36 else { throw .invalidArgument }
        let uuid = arguments.prefix(36)
        guard MdevUUID(String(decoding: uuid, as: UTF8.self)) != nil, uuid.allSatisfy({ $0 < 0x80 }) else {
            throw .invalidArgument
        }
        var properties = [("SYNTH_UUID", String(decoding: uuid, as: UTF8.self))]
        var rest = arguments.dropFirst(36)
        while let separator = rest.first {
            guard separator == UInt8(ascii: " ") else { throw .invalidArgument }
            rest = rest.dropFirst()
            let key = rest.prefix(while: { $0 != UInt8(ascii: "=") })
            guard !key.isEmpty, key.allSatisfy(isAlphanumeric), key.endIndex < rest.endIndex else {
                throw .invalidArgument
            }
            rest = rest[(key.endIndex + 1)...]
            let value = rest.prefix(while: { $0 != UInt8(ascii: " ") })
            guard !value.isEmpty, value.allSatisfy(isAlphanumeric) else { throw .invalidArgument }
            rest = rest[value.endIndex...]
            properties.append(("SYNTH_ARG_" + String(decoding: key, as: UTF8.self),
                               String(decoding: value, as: UTF8.self)))
        }
        let size = properties.reduce(0) { $0 + $1.0.utf8.count + 1 + $1.1.utf8.count + 1 }
        guard properties.count <= maximumVariables, size <= environmentSize else { throw .invalidArgument }
        return properties
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"): return true
        default: return false
        }
    }
}
