import HostOS
import KernelCore
#if canImport(Glibc)
import Glibc
#endif

/// The processes in the private network namespace of `fakesysfs run`. Only
/// `run` and what it starts can be there, so whatever appeared after the
/// command was started and is still there when it ends (daemons it left
/// running) was started by the command, and is stopped so the served tree
/// can be unmounted.
enum Leftovers {
    static func members(of namespace: NetworkNamespace) -> Set<pid_t> {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids = Set<pid_t>()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = pid_t(name) else { continue }
            // A zombie has no namespaces left and counts as gone.
            if case .success(namespace) = NetworkNamespace.of(path: "/proc/\(pid)/ns/net") { pids.insert(pid) }
        }
        return pids
    }

    /// Sends SIGTERM to the members that are not in `before`, then SIGKILL to
    /// those still there after `graceSeconds`.
    static func stop(in namespace: NetworkNamespace, before: Set<pid_t>, graceSeconds: Int = 5) {
        var remaining = members(of: namespace).subtracting(before)
        guard !remaining.isEmpty else { return }
        let names = remaining.sorted().map { "\($0) (\(commandName($0)))" }.joined(separator: ", ")
        Log.write("stopping what the command left running: \(names)")
        remaining.forEach { kill($0, SIGTERM) }
        let deadline = Deadline(secondsFromNow: graceSeconds)
        while !remaining.isEmpty && !deadline.hasPassed {
            usleep(50_000)
            CommandProcess.reapChildren()
            remaining.formIntersection(members(of: namespace))
        }
        remaining.forEach { kill($0, SIGKILL) }
        let killDeadline = Deadline(secondsFromNow: 2)
        while !remaining.isEmpty && !killDeadline.hasPassed {
            usleep(50_000)
            CommandProcess.reapChildren()
            remaining.formIntersection(members(of: namespace))
        }
    }

    private static func commandName(_ pid: pid_t) -> String {
        guard let file = fopen("/proc/\(pid)/comm", "r") else { return "?" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return "?" }
        return String(decoding: buffer.prefix(while: { $0 != 0 && $0 != 10 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
