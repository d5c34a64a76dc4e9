import Support
#if canImport(Glibc)
import Glibc
#endif

/// The processes the command of `fakesysfs run` left running, as the first
/// process of its PID namespace sees them: every other process of the
/// namespace. They are asked to stop so daemons can let go of the tree;
/// whatever is left when the first process exits, the kernel kills.
enum Leftovers {
    static func members() -> [pid_t] {
        directoryEntryNames("/proc").compactMap { pid_t($0) }.filter { $0 != getpid() && !isZombie($0) }.sorted()
    }

    /// SIGTERM to every other process of the namespace, then SIGKILL to those still there after `graceSeconds`.
    static func stop(graceSeconds: Int = 5) {
        CommandProcess.reapChildren()
        let remaining = members()
        guard !remaining.isEmpty else { return }
        let names = remaining.map { "\($0) (\(commandName($0)))" }.joined(separator: ", ")
        Log.write("stopping what the command left running: \(names)")
        kill(-1, SIGTERM)
        let deadline = Deadline(secondsFromNow: graceSeconds)
        while !members().isEmpty && !deadline.hasPassed {
            usleep(50_000)
            CommandProcess.reapChildren()
        }
        kill(-1, SIGKILL)
        let killDeadline = Deadline(secondsFromNow: 2)
        while !members().isEmpty && !killDeadline.hasPassed {
            usleep(20_000)
            CommandProcess.reapChildren()
        }
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        let status = line(of: "/proc/\(pid)/stat") ?? ""
        guard let close = status.lastIndex(of: ")") else { return true }
        return status[close...].hasPrefix(") Z")
    }

    private static func commandName(_ pid: pid_t) -> String {
        line(of: "/proc/\(pid)/comm") ?? "?"
    }

    private static func line(of path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 && $0 != 10 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
