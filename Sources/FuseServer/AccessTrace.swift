import Support
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// Writes an access trace: one JSON line per significant operation, each line
/// whole, in the order the operations finished.
public final class AccessTrace: Sendable {
    /// Also trace lookup and getattr, and opens for reading (many per client action).
    public let includeLookups: Bool
    private let descriptor: Locked<Int32>

    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates (or empties) `path`, readable only by the owner.
    public init(path: String, includeLookups: Bool = false) throws(OpenError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OpenError(description: "cannot write the trace to \(path): \(String(cString: strerror(errno)))")
        }
        self.includeLookups = includeLookups
        self.descriptor = Locked(fd)
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
        }
    }

    public func record(_ record: TraceRecord) {
        let line = record.jsonLine() + "\n"
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            var bytes = Array(line.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                bytes = bytes.dropFirst(written)
            }
        }
    }
}

/// The process behind a FUSE request. FUSE reports the calling *thread*;
/// its process (thread group) and command name come from `/proc`.
struct RequestCaller {
    let pid: Int32
    /// `/proc/<pid>/comm`, or nil once the process is gone.
    let command: String?

    init(thread: Int32) {
        let process = RequestCaller.threadGroup(of: thread) ?? thread
        self.pid = process
        self.command = RequestCaller.readProcFile("/proc/\(process)/comm").map { text in
            text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
    }

    /// The `Tgid:` of `/proc/<tid>/status` (reachable for any thread, listed or not).
    static func threadGroup(of thread: Int32) -> Int32? {
        guard thread > 0, let status = readProcFile("/proc/\(thread)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Tgid:") {
            return Int32(line.dropFirst(5).drop { $0 == " " || $0 == "\t" })
        }
        return nil
    }

    /// Bit 21 (CAP_SYS_ADMIN) of the `CapEff:` of `/proc/<tid>/status`; nil when it cannot be read.
    static func hasSysAdmin(thread: Int32) -> Bool? {
        guard thread > 0, let status = readProcFile("/proc/\(thread)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            guard let mask = UInt64(line.dropFirst(7).drop { $0 == " " || $0 == "\t" }, radix: 16) else { return nil }
            return mask & (1 << 21) != 0
        }
        return nil
    }

    private static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}
