import Support
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// Writes an access trace: one JSON line per significant operation, each line
/// whole, in the order the operations finished. A record the file cannot take
/// (a full disk) is dropped whole and counted; when writing works again, a
/// `mark` record says how many are missing, and the log says so too.
public final class AccessTrace: Sendable {
    /// Also trace lookup and getattr, and opens for reading (many per client action).
    public let includeLookups: Bool
    private let sink: Locked<Sink>
    private let path: String
    private let log: @Sendable (String) -> Void

    private struct Sink {
        var fd: Int32
        var dropped = 0
        var droppedSinceLastWrite = 0
    }

    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates (or empties) `path`, readable only by the owner. Links are not
    /// followed, and only a regular file is written (see `ServerFile`).
    public init(path: String, includeLookups: Bool = false, log: @escaping @Sendable (String) -> Void = { _ in }) throws(OpenError) {
        let fd: Int32
        do throws(ServerFile.Refusal) {
            fd = try ServerFile.openForWriting(path, append: true, truncate: true)
        } catch {
            throw OpenError(description: "cannot write the trace to \(error.description)")
        }
        self.includeLookups = includeLookups
        self.sink = Locked(Sink(fd: fd))
        self.path = path
        self.log = log
    }

    deinit {
        let dropped = sink.withLock { sink in
            if sink.fd >= 0 { close(sink.fd) }
            return sink.droppedSinceLastWrite
        }
        if dropped > 0 { log("trace \(path): the last \(dropped) records were dropped") }
    }

    /// Records dropped so far because the file could not take them.
    public var droppedRecords: Int { sink.withLock { $0.dropped } }

    public func record(_ record: TraceRecord) {
        let line = record.jsonLine() + "\n"
        let path = self.path
        let message: String? = sink.withLock { sink in
            guard sink.fd >= 0 else { return nil }
            var resumedAfter = 0
            if sink.droppedSinceLastWrite > 0 {
                var gap = TraceRecord(operation: "mark", path: "")
                gap.value = "fakesysfs: \(sink.droppedSinceLastWrite) trace records dropped here (the file could not take them)"
                guard AccessTrace.appendWhole(gap.jsonLine() + "\n", to: sink.fd) == nil else {
                    sink.dropped += 1
                    sink.droppedSinceLastWrite += 1
                    return nil
                }
                resumedAfter = sink.droppedSinceLastWrite
                sink.droppedSinceLastWrite = 0
            }
            if let error = AccessTrace.appendWhole(line, to: sink.fd) {
                sink.dropped += 1
                sink.droppedSinceLastWrite += 1
                return "trace \(path): \(String(cString: strerror(error))); dropping records (whole, and counted) until it can be written"
            }
            return resumedAfter > 0 ? "trace \(path): writing again after dropping \(resumedAfter) records" : nil
        }
        if let message { log(message) }
    }

    /// Appends all of `line` in one write, or nothing: a short write is cut back
    /// off, so no half record is ever glued to the next one. The errno on failure.
    private static func appendWhole(_ line: String, to fd: Int32) -> Int32? {
        let bytes = Array(line.utf8)
        let start = lseek(fd, 0, SEEK_END)
        while true {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written == bytes.count { return nil }
            if written < 0 && errno == EINTR { continue }
            let error = written < 0 ? errno : ENOSPC
            if written > 0 && start >= 0 { _ = ftruncate(fd, start) }
            return error
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
