#if canImport(Glibc)
import Glibc
#endif

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
