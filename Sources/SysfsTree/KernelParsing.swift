import SystemPackage

/// The kernel's input-parsing helpers (`lib/kstrtox.c`, `lib/string.c`), byte for byte.
public enum KernelParsing {
    /// `_kstrtoull` with `kstrtoul` rules: optional leading `+`; base 0 picks
    /// `0x` hex, leading-`0` octal or decimal; exactly one trailing `\n` allowed;
    /// EINVAL for anything else, ERANGE past `max`.
    public static func unsignedInteger(_ input: ArraySlice<UInt8>, base requested: Int = 0,
                                       max: UInt64 = .max) throws(Errno) -> UInt64 {
        var digits = input
        if digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        var base = requested
        let hasHexPrefix = digits.count >= 3 && digits.first == UInt8(ascii: "0")
            && (digits.dropFirst().first.map { $0 | 0x20 } == UInt8(ascii: "x"))
            && digits.dropFirst(2).first.map({ hexValue($0) != nil }) == true
        if base == 0 {
            if hasHexPrefix { base = 16; digits = digits.dropFirst(2) }
            else if digits.first == UInt8(ascii: "0") { base = 8 }
            else { base = 10 }
        } else if base == 16, hasHexPrefix {
            digits = digits.dropFirst(2)
        }
        var value: UInt64 = 0
        var consumed = 0
        var overflow = false
        for byte in digits {
            guard let digit = hexValue(byte), digit < base else { break }
            let (product, overflowMultiply) = value.multipliedReportingOverflow(by: UInt64(base))
            let (sum, overflowAdd) = product.addingReportingOverflow(UInt64(digit))
            if overflowMultiply || overflowAdd { overflow = true }
            value = sum
            consumed += 1
        }
        if overflow { throw .outOfRange }
        guard consumed > 0 else { throw .invalidArgument }
        var rest = digits.dropFirst(consumed)
        if rest.first == UInt8(ascii: "\n") { rest = rest.dropFirst() }
        guard rest.isEmpty else { throw .invalidArgument }
        guard value <= max else { throw .outOfRange }
        return value
    }

    /// `kstrtobool` (lib/kstrtox.c, 6.12): only the first character counts,
    /// y/Y, t/T, 1 are true and n/N, f/F, 0 false; an `o` needs `n` (on) or
    /// `f` (off) after it. Anything else is EINVAL.
    public static func boolean(_ input: ArraySlice<UInt8>) throws(Errno) -> Bool {
        guard let first = input.first else { throw .invalidArgument }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"),
             UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "1"): return true
        case UInt8(ascii: "n"), UInt8(ascii: "N"),
             UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "0"): return false
        case UInt8(ascii: "o"), UInt8(ascii: "O"):
            switch input.dropFirst().first {
            case UInt8(ascii: "n"), UInt8(ascii: "N"): return true
            case UInt8(ascii: "f"), UInt8(ascii: "F"): return false
            default: throw .invalidArgument
            }
        default: throw .invalidArgument
        }
    }

    /// `sysfs_streq`.
    public static func streq(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        var a = a, b = b
        while let x = a.first, let y = b.first, x == y { a = a.dropFirst(); b = b.dropFirst() }
        if a.isEmpty && b.isEmpty { return true }
        if a.first == UInt8(ascii: "\n") && a.count == 1 && b.isEmpty { return true }
        if b.first == UInt8(ascii: "\n") && b.count == 1 && a.isEmpty { return true }
        return false
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}

extension KernelParsing {
    /// `kstrtoint`: an optional `-` before a `_kstrtoull` number (no `+` after
    /// the `-`), then the `int` range (ERANGE outside).
    public static func signedInteger(_ input: ArraySlice<UInt8>, base: Int = 0) throws(Errno) -> Int32 {
        if input.first == UInt8(ascii: "-") {
            let digits = input.dropFirst()
            guard digits.first != UInt8(ascii: "+") else { throw .invalidArgument }
            let magnitude = try unsignedInteger(digits, base: base)
            guard magnitude <= UInt64(Int32.max) + 1 else { throw .outOfRange }
            return Int32(truncatingIfNeeded: 0 - Int64(magnitude))
        }
        let value = try unsignedInteger(input, base: base)
        guard value <= UInt64(Int32.max) else { throw .outOfRange }
        return Int32(truncatingIfNeeded: value)
    }
}
