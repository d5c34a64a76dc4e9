import Support
/// The kernel log lines written while one operation runs (a FUSE request or a
/// control command), so that a refused store can carry the reason the core or
/// a driver logged for it. Lines recorded outside `capture` go nowhere.
///
/// An operation runs on one thread, so each thread keeps its own lines: a
/// capture costs no allocation once the thread has captured before.
public enum KernelMessages {
    /// Only its own thread touches it, so the run-time exclusivity check (a
    /// thread-local lookup on every access) would buy nothing.
    private final class ThreadLines {
        @exclusivity(unchecked) var lines: [String] = []
        @exclusivity(unchecked) var captures = 0
    }

    private static let threads = ThreadLocal<ThreadLines>()

    /// Adds a line to the operation running on this thread, if it is being captured.
    public static func record(_ message: String) {
        guard let thread = threads?.current(), thread.captures > 0 else { return }
        thread.lines.append(message)
    }

    /// Runs `body` and returns what it logged, oldest first; a capture inside
    /// it keeps its own lines.
    public static func capture<T>(_ body: () -> T) -> (value: T, messages: [String]) {
        guard let thread = threads?.current(orMake: ThreadLines.init) else { return (body(), []) }
        let start = thread.lines.count
        thread.captures += 1
        let value = body()
        thread.captures -= 1
        if thread.lines.count == start { return (value, []) }
        if start == 0 {
            defer { thread.lines = [] }
            return (value, thread.lines)
        }
        let messages = Array(thread.lines[start...])
        thread.lines.removeSubrange(start...)
        return (value, messages)
    }
}
