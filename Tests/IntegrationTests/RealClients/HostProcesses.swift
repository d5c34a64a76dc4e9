#if canImport(Glibc)
import Glibc
#endif

/// The processes of this machine, by command line.
enum ProcessList {
    /// Every process's arguments, joined by spaces.
    static func commandLines() -> [String] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var lines: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard pid_t(name) != nil else { continue }
            let arguments = ClientSession.text("/proc/\(name)/cmdline").split(separator: "\0")
            if !arguments.isEmpty { lines.append(arguments.joined(separator: " ")) }
        }
        return lines
    }

    /// False once the process has exited (a zombie counts as exited).
    static func isRunning(_ pid: pid_t) -> Bool {
        let status = ClientSession.text("/proc/\(pid)/stat")
        guard let close = status.lastIndex(of: ")") else { return false }
        let state = status[status.index(after: close)...].drop(while: { $0 == " " }).first
        return state != nil && state != "Z" && state != "X"
    }
}

/// A libudev-style monitor socket (NETLINK_KOBJECT_UEVENT, group 2) in the
/// test process's own network namespace: the host's, as far as fakesysfs knows.
final class HostUEventListener {
    private let fd: Int32

    init?() {
        fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 15)
        guard fd >= 0 else { return nil }
        var address = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: UInt16(AF_NETLINK)) { address.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: UInt32(2)) { address.replaceSubrange(8..<12, with: $0) }
        let bound = address.withUnsafeBytes {
            bind(fd, $0.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard bound == 0 else {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    /// Every message queued so far, as text (NULs kept).
    func drain() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count <= 0 { return messages }
            messages.append(String(decoding: buffer.prefix(count), as: UTF8.self))
        }
    }
}

extension String {
    /// Without leading and trailing spaces and newlines.
    var strippingBlanks: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\n" }
        return String(drop(while: isBlank).reversed().drop(while: isBlank).reversed())
    }
}
