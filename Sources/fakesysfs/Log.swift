#if canImport(Glibc)
import Glibc
#endif

/// The server's log: one line per event on stderr (or `destination`), with the time.
enum Log {
    static func write(_ message: String, to destination: Int32 = STDERR_FILENO) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        let stamp = String(format2(parts.tm_hour)) + ":" + format2(parts.tm_min) + ":" + format2(parts.tm_sec)
        let line = "\(stamp) fakesysfs: \(message)\n"
        _ = line.withCString { Glibc.write(destination, $0, strlen($0)) }
    }

    private static func format2(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
