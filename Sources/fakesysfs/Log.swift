import Support
#if canImport(Glibc)
import Glibc
#endif

/// The server's log: one line per event on stderr (or `destination`), with the time.
///
/// A line never blocks its caller, a FUSE worker most often: when the log is a
/// pipe or terminal that cannot take it now, the line is dropped and counted,
/// and the next line that gets through says how many went missing.
enum Log {
    /// Lines dropped since the last one written; also serialises the writes, so lines never interleave.
    private static let dropped = Locked<Int>(0)
    /// One write of at most this many bytes into a pipe that polls writable never blocks.
    private static let maximumLine = Int(PIPE_BUF)

    static func write(_ message: String, to destination: Int32 = STDERR_FILENO) {
        let stamp = timestamp()
        var line = Array("\(stamp) fakesysfs: \(message)".utf8)
        if line.count >= maximumLine { line = Array(line.prefix(maximumLine - 4)) + Array("...".utf8) }
        line.append(UInt8(ascii: "\n"))
        dropped.withLock { dropped in
            guard canTakeALine(destination) else {
                dropped += 1
                return
            }
            if dropped > 0 {
                let note = Array("\(stamp) fakesysfs: \(dropped) log lines dropped (the log could not take them)\n".utf8)
                guard writeWhole(note, to: destination) else {
                    dropped += 1
                    return
                }
                dropped = 0
                guard canTakeALine(destination) else {
                    dropped += 1
                    return
                }
            }
            if !writeWhole(line, to: destination) { dropped += 1 }
        }
    }

    /// A regular file always can (a full disk fails the write at once); a pipe,
    /// FIFO or terminal only when it polls writable now.
    private static func canTakeALine(_ fd: Int32) -> Bool {
        var info = stat()
        if fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG { return true }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&poller, 1, 0) == 1 && poller.revents & Int16(POLLOUT) != 0
    }

    private static func writeWhole(_ bytes: [UInt8], to fd: Int32) -> Bool {
        while true {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            return written == bytes.count
        }
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        return format2(parts.tm_hour) + ":" + format2(parts.tm_min) + ":" + format2(parts.tm_sec)
    }

    private static func format2(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
