import FuzzSupport
import KernelCore
import SysfsTree
import SystemPackage

/// `create`'s UUID parsing against the kernel's rule: 36 or 37 bytes, then
/// `uuid_is_valid` on the first 36 (dashes at 8, 13, 18, 23, hex elsewhere,
/// NUL included as invalid); the name is the lowercase form.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Fuzzer.bytes(data, size)
    let input = StoreInput(bytes.prefix(4096))
    let expected: String? = {
        guard input.count == 36 || input.count == 37 else { return nil }
        var text = ""
        for (index, byte) in input.bytes.prefix(36).enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == 0x2d else { return nil }
                text += "-"
            } else {
                let lower = byte | 0x20
                guard (byte >= 0x30 && byte <= 0x39) || (lower >= 0x61 && lower <= 0x66) else { return nil }
                text.append(Character(Unicode.Scalar(byte >= 0x30 && byte <= 0x39 ? byte : lower)))
            }
        }
        return text
    }()
    let parsed: String?
    do throws(Errno) {
        parsed = try MdevUUID(parsing: input).description
    } catch {
        if error != .invalidArgument { Fuzzer.fail("\(bytes): errno \(error), only EINVAL is possible") }
        parsed = nil
    }
    if parsed != expected {
        Fuzzer.fail("\(bytes): parsed \(parsed ?? "nil"), kernel \(expected ?? "EINVAL")")
    }
    if let parsed, MdevUUID(parsed)?.description != parsed {
        Fuzzer.fail("\(parsed) does not parse back to itself")
    }
    return 0
}
