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
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || (0x80..<0xa0).contains($0.value) }) {
            return "it may not contain NUL or control characters"
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
            if scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
