
/// The kernel log lines written while one operation runs (a FUSE request or a
/// control command), so that a refused store can carry the reason the core or
/// a driver logged for it. Lines recorded outside `capture` go nowhere.
public enum KernelMessages {
    private final class Collector: Sendable {
        let lines = Locked<[String]>([])
    }

    @TaskLocal private static var collector: Collector?

    /// Adds a line to the operation running on this thread, if it is being captured.
    public static func record(_ message: String) {
        collector?.lines.withLock { $0.append(message) }
    }

    /// Runs `body` and returns what it logged, oldest first.
    public static func capture<T>(_ body: () -> T) -> (value: T, messages: [String]) {
        let collector = Collector()
        let value = $collector.withValue(collector) { body() }
        return (value, collector.lines.withLock { $0 })
    }
}
