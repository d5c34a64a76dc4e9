import CFuse3
#if canImport(Glibc)
import Glibc
#endif

extension FuseServer {
    /// Whether the process behind `request` holds CAP_SYS_ADMIN, which the
    /// kernel checks at open for some binary attributes (`file_ns_capable` in
    /// `pci_read_config`); by its uid when its status cannot be read.
    func callerHasSysAdmin(_ request: fuse_req_t?) -> Bool {
        guard let context = fuse_req_ctx(request) else { return false }
        return Self.hasSysAdmin(thread: context.pointee.pid) ?? (context.pointee.uid == 0)
    }

    /// Bit 21 (CAP_SYS_ADMIN) of the `CapEff:` of `/proc/<tid>/status`; nil when it cannot be read.
    static func hasSysAdmin(thread: Int32) -> Bool? {
        guard thread > 0 else { return nil }
        let fd = Glibc.open("/proc/\(thread)/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        for line in String(decoding: buffer.prefix(count), as: UTF8.self).split(separator: "\n")
        where line.hasPrefix("CapEff:") {
            guard let mask = UInt64(line.dropFirst(7).drop { $0 == " " || $0 == "\t" }, radix: 16) else { return nil }
            return mask & (1 << 21) != 0
        }
        return nil
    }
}
