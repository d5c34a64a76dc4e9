#if canImport(Glibc)
import Glibc
#endif
import Support
import SysfsTree

/// `printk_ratelimited` for one call site: at most `burst` lines in each
/// `interval`, and once lines flow again, how many were held back (the
/// kernel's "callbacks suppressed"). The defaults are the kernel's
/// DEFAULT_RATELIMIT_INTERVAL (5 s) and DEFAULT_RATELIMIT_BURST (10), which
/// drivers use for messages user space can trigger at will.
public final class LogRateLimit: Sendable {
    private struct Window {
        var start: Double?
        var printed = 0
        var missed = 0
    }

    private let interval: Double
    private let burst: Int
    private let window = Locked(Window())

    public init(interval: Double = 5, burst: Int = 10) {
        self.interval = interval
        self.burst = burst
    }

    /// Logs `message` through `log` if the window allows it; the operation's
    /// captured messages (trace, control replies) get it either way.
    public func log(_ message: @autoclosure () -> String, name: String, to log: (String) -> Void) {
        let decision = admit(at: Self.now())
        let line = message()
        guard let missed = decision else {
            KernelMessages.record(line)
            return
        }
        if missed > 0 { log("\(name): \(missed) messages suppressed") }
        log(line)
    }

    /// nil when the line is to be held back, else how many were held back before it.
    func admit(at time: Double) -> Int? {
        window.withLock { window in
            if let start = window.start, time - start < interval {
                guard window.printed < burst else {
                    window.missed += 1
                    return nil
                }
                window.printed += 1
                return 0
            }
            let missed = window.missed
            window = Window(start: time, printed: 1, missed: 0)
            return missed
        }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
