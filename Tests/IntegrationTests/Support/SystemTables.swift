#if canImport(Glibc)
import Glibc
#endif

/// The mount points of this mount namespace.
enum MountTable {
    /// Mount points are compared as mountinfo prints them; the paths the tests
    /// create have no characters that mountinfo escapes.
    static func contains(_ path: String) -> Bool {
        lines(of: "/proc/self/mountinfo").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4] == path
        }
    }

    private static func lines(of path: String) -> [Substring] {
        String(decoding: fileBytes(path), as: UTF8.self).split(separator: "\n")
    }
}

/// Running processes, by command line.
enum ProcessTable {
    static func first(where matches: ([String]) -> Bool) -> pid_t? {
        guard let directory = opendir("/proc") else { return nil }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = pid_t(name), pid != getpid() else { continue }
            let arguments = fileBytes("/proc/\(pid)/cmdline").split(separator: 0)
                .map { String(decoding: $0, as: UTF8.self) }
            if matches(arguments) { return pid }
        }
        return nil
    }

    /// True until the process has exited (a zombie counts as exited).
    static func isRunning(_ pid: pid_t) -> Bool {
        let status = String(decoding: fileBytes("/proc/\(pid)/stat"), as: UTF8.self)
        guard let close = status.lastIndex(of: ")") else { return false }
        let state = status[status.index(after: close)...].drop(while: { $0 == " " }).first
        return state != nil && state != "Z" && state != "X"
    }
}

/// The whole content of a file; empty when it cannot be read.
func fileBytes(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return bytes }
        bytes += buffer.prefix(count)
    }
}

/// Polls `condition` every 20 ms for up to `seconds`; true once it holds.
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let attempts = Int(seconds * 50)
    for _ in 0..<attempts {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
