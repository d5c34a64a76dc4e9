import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A network namespace, identified as the kernel does: by the device and
/// inode of its nsfs file (`/proc/<pid>/ns/net`).
public struct NetworkNamespace: Hashable, Sendable, CustomStringConvertible {
    public let device: UInt64
    public let inode: UInt64

    /// The namespace `path` (an nsfs file such as `/proc/1/ns/net`) stands for,
    /// or the errno that kept it from being read.
    public static func of(path: String) -> Result<NetworkNamespace, Errno> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(Errno(rawValue: errno)) }
        return .success(NetworkNamespace(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }

    /// The calling thread's namespace: `setns` and `unshare` change it per thread.
    public static func ofCurrentThread() -> Result<NetworkNamespace, Errno> {
        of(path: "/proc/thread-self/ns/net")
    }

    public var description: String { "net:[\(inode)]" }

    /// The calling thread's interfaces, by name (`if_nameindex`).
    static func interfaceNames() -> [String] {
        guard let list = if_nameindex() else { return [] }
        defer { if_freenameindex(list) }
        var names: [String] = []
        var entry = list
        while entry.pointee.if_index != 0, let name = entry.pointee.if_name {
            names.append(String(cString: name))
            entry += 1
        }
        return names
    }

    /// True when the calling thread's loopback interface is up.
    static func loopbackIsUp() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var request = ifreq()
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { name in
            name.copyBytes(from: Array("lo".utf8) + [0])
        }
        guard ioctl(fd, UInt(SIOCGIFFLAGS), &request) == 0 else { return true }
        return Int32(request.ifr_ifru.ifru_flags) & Int32(IFF_UP) != 0
    }
}
