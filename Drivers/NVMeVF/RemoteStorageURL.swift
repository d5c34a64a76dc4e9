/// Where an NVMe VF's namespace lives on the fabric, as the NVMe URI scheme
/// writes it: `nvme+tcp://<host>[:<port>]/<subsystem NQN>` (or `nvme+rdma`).
enum RemoteStorageURL {
    static let schemes = ["nvme+tcp", "nvme+rdma"]
    /// NVMe's limit on an NQN (`NVMF_NQN_SIZE` 223 bytes).
    static let maxNQNLength = 223

    /// Nil for a usable URL, otherwise why not.
    static func problem(_ text: String) -> String? {
        guard text.utf8.allSatisfy({ (0x21..<0x7f).contains($0) && $0 != UInt8(ascii: ",") }) else {
            return "only printable ASCII without spaces or commas"
        }
        guard let schemeEnd = text.firstRange(of: "://") else { return "expected <scheme>://<host>[:<port>]/<nqn>" }
        let scheme = String(text[..<schemeEnd.lowerBound])
        guard schemes.contains(scheme) else { return "scheme must be \(schemes.joined(separator: " or "))" }
        let rest = text[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "no subsystem NQN after the host" }
        if let reason = authorityProblem(rest[..<slash]) { return reason }
        let nqn = rest[rest.index(after: slash)...]
        guard nqn.hasPrefix("nqn."), nqn.count > 4 else { return "the path must be a subsystem NQN (nqn.…)" }
        guard nqn.utf8.count <= maxNQNLength else { return "the NQN is longer than \(maxNQNLength) bytes" }
        guard !nqn.contains("/") else { return "nothing may follow the NQN" }
        return nil
    }

    private static func authorityProblem(_ authority: Substring) -> String? {
        var host = authority
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return "unterminated [IPv6] host" }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return "unexpected text after the [IPv6] host" }
                port = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return "not an IPv6 address"
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            }
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard !host.isEmpty, host.count <= 253, labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            }) else { return "not a host name or address" }
        }
        if let port {
            guard let first = port.first, first != "0", port.allSatisfy({ $0.isNumber }),
                  let number = Int(port), (1...65535).contains(number) else { return "port must be 1 to 65535" }
        }
        return nil
    }
}
