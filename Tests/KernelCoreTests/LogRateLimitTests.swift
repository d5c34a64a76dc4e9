import Testing
@testable import KernelCore
import SysfsTree

/// `printk_ratelimited`: a burst per interval, then a count of what was held back.
@Suite struct LogRateLimitTests {
    @Test func allowsABurstPerIntervalThenCountsWhatItHeldBack() {
        let limit = LogRateLimit(interval: 5, burst: 3)
        #expect((0..<3).map { limit.admit(at: 100 + Double($0)) } == [0, 0, 0])
        #expect(limit.admit(at: 103) == nil)
        #expect(limit.admit(at: 104.9) == nil)
        #expect(limit.admit(at: 105) == 2)
        #expect(limit.admit(at: 106) == 0)
        #expect(limit.admit(at: 200) == 0)
    }

    @Test func aHeldBackLineStillReachesTheOperationsCapture() {
        let limit = LogRateLimit(interval: 3600, burst: 1)
        var logged: [String] = []
        let (_, captured) = KernelMessages.capture {
            limit.log("first", name: "migration_version") { logged.append($0) }
            limit.log("second", name: "migration_version") { logged.append($0) }
        }
        #expect(logged == ["first"])
        #expect(captured == ["second"])
    }
}
