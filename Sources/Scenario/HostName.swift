/// The names hosts may take: each becomes a directory under the mount point.
enum HostName {
    /// Why `name` cannot name a host directory, or nil if it can.
    static func problem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.utf8.count > ScenarioLimits.hostNameBytes {
            return "it is longer than \(ScenarioLimits.hostNameBytes) bytes"
        }
        if name == "." || name.contains("..") { return "it may not be . or contain .." }
        if name.contains("/") { return "it may not contain /" }
        if name.unicodeScalars.contains(where: isControl) {
            return "it may not contain NUL or control characters"
        }
        if let hidden = name.unicodeScalars.first(where: isInvisible) {
            return "it may not contain invisible or direction-changing characters (\(codePoint(hidden)))"
        }
        return nil
    }

    /// `name` followed by 0..<count, zero-padded to one width so the names sort in order.
    static func numbered(_ name: String, count: Int) -> [String] {
        let width = String(max(count - 1, 0)).count
        return (0..<count).map { index in
            let digits = String(index)
            return name + String(repeating: "0", count: width - digits.count) + digits
        }
    }

    /// `text` with control characters escaped, safe to print in an error.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) || isInvisible(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value)
    }

    /// Format characters (bidi overrides and isolates, zero-width spaces and joiners, BOM) and
    /// line or paragraph separators: a name holding one reads as another name, or reorders the line it is printed in.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
