/// An independent oracle for `KernelParsing`: the kernel's `lib/kstrtox.c`
/// and `sysfs_streq` walked step by step over a NUL-terminated buffer, the
/// way the C code reads memory, so any shortcut in the library shows up as a
/// disagreement.
enum ReferenceKstrtox {
    enum Outcome: Equatable {
        case value(UInt64)
        case signed(Int64)
        case flag(Bool)
        case invalid
        case range
    }

    /// `kstrtoull(s, base)`.
    static func unsigned(_ s: [UInt8], base: Int) -> Outcome {
        var start = 0
        if s[0] == UInt8(ascii: "+") { start = 1 }
        return parseUnsigned(s, from: start, base: base)
    }

    /// `kstrtou16`.
    static func unsigned16(_ s: [UInt8]) -> Outcome {
        let outcome = unsigned(s, base: 0)
        if case .value(let v) = outcome, v > UInt64(UInt16.max) { return .range }
        return outcome
    }

    /// `kstrtoint(s, 0)`.
    static func int(_ s: [UInt8]) -> Outcome {
        let wide: Int64
        if s[0] == UInt8(ascii: "-") {
            let outcome = parseUnsigned(s, from: 1, base: 0)
            guard case .value(let magnitude) = outcome else { return outcome }
            let negated = Int64(bitPattern: 0 &- magnitude)
            if negated > 0 { return .range }
            wide = negated
        } else {
            let outcome = unsigned(s, base: 0)
            guard case .value(let magnitude) = outcome else { return outcome }
            if Int64(bitPattern: magnitude) < 0 { return .range }
            wide = Int64(bitPattern: magnitude)
        }
        if wide != Int64(Int32(truncatingIfNeeded: wide)) { return .range }
        return .signed(wide)
    }

    /// `kstrtobool`, with the e/E and d/D of current kernels.
    static func bool(_ s: [UInt8]) -> Outcome {
        switch s[0] {
        case 0x65, 0x45, 0x79, 0x59, 0x74, 0x54, 0x31: return .flag(true)   // e E y Y t T 1
        case 0x64, 0x44, 0x6e, 0x4e, 0x66, 0x46, 0x30: return .flag(false)  // d D n N f F 0
        case 0x6f, 0x4f:                                                   // o O
            switch s[1] {
            case 0x6e, 0x4e: return .flag(true)
            case 0x66, 0x46: return .flag(false)
            default: return .invalid
            }
        default: return .invalid
        }
    }

    /// `sysfs_streq(a, b)` over NUL-terminated buffers.
    static func streq(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var i = 0, j = 0
        while a[i] != 0 && a[i] == b[j] { i += 1; j += 1 }
        if a[i] == b[j] { return true }
        if a[i] == 0 && b[j] == 0x0a && b[j + 1] == 0 { return true }
        if a[i] == 0x0a && a[i + 1] == 0 && b[j] == 0 { return true }
        return false
    }

    /// `_parse_integer_fixup_radix`, `_parse_integer` and `_kstrtoull` from `s[start]`.
    private static func parseUnsigned(_ s: [UInt8], from start: Int, base requested: Int) -> Outcome {
        var p = start
        var base = requested
        if base == 0 {
            if s[p] == 0x30 {
                base = (s[p + 1] | 0x20) == 0x78 && isHexDigit(s[p + 2]) ? 16 : 8
            } else {
                base = 10
            }
        }
        if base == 16 && s[p] == 0x30 && (s[p + 1] | 0x20) == 0x78 { p += 2 }
        var result: UInt64 = 0
        var digits = 0
        var overflow = false
        while true {
            let c = s[p + digits]
            let lower = c | 0x20
            let value: UInt64
            if c >= 0x30 && c <= 0x39 {
                value = UInt64(c - 0x30)
            } else if lower >= 0x61 && lower <= 0x66 {
                value = UInt64(lower - 0x61 + 10)
            } else {
                break
            }
            if value >= UInt64(base) { break }
            if result & (~UInt64(0) << 60) != 0, result > (UInt64.max - value) / UInt64(base) { overflow = true }
            result = result &* UInt64(base) &+ value
            digits += 1
        }
        if overflow { return .range }
        if digits == 0 { return .invalid }
        p += digits
        if s[p] == 0x0a { p += 1 }
        if s[p] != 0 { return .invalid }
        return .value(result)
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)
    }
}
