import Foundation
import Testing
@testable import FuseServer
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The waits fault delays make: ended by a wakeup, never taking the last worker.
@Suite struct RequestPauseTests {
    static func milliseconds(_ body: () -> Void) -> Int {
        var before = timespec(), after = timespec()
        clock_gettime(CLOCK_MONOTONIC, &before)
        body()
        clock_gettime(CLOCK_MONOTONIC, &after)
        return (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1_000_000
    }

    @Test func aPauseLastsItsTime() {
        let pauses = RequestPauses(workers: 10)
        var end = PauseEnd.skipped
        let elapsed = Self.milliseconds { end = pauses.pause(nil, milliseconds: 30, wakeups: PauseWakeups()) }
        #expect(end == .elapsed)
        #expect(elapsed >= 30)
        #expect(pauses.count == 0)
    }

    /// Runs `body` on a thread of its own (a FUSE worker is one), returning when it is done.
    func onThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            body()
            done.signal()
        }
        return done
    }

    @Test func wakeAllEndsAPauseAtOnce() {
        let pauses = RequestPauses(workers: 10)
        let wakeups = PauseWakeups()
        let result = Mutex<(PauseEnd, Int)?>(nil)
        let done = onThread {
            var end = PauseEnd.skipped
            let elapsed = Self.milliseconds { end = pauses.pause(nil, milliseconds: 20_000, wakeups: wakeups) }
            result.withLock { $0 = (end, elapsed) }
        }
        while pauses.count == 0 { usleep(1000) }
        wakeups.wakeAll()
        done.wait()
        let (end, elapsed) = result.withLock { $0 } ?? (.skipped, -1)
        #expect(end == .woken)
        #expect(elapsed < 5_000)
    }

    @Test func theLastWorkerIsNeverPaused() {
        let pauses = RequestPauses(workers: 2)
        let wakeups = PauseWakeups()
        let first = Mutex<PauseEnd?>(nil)
        let done = onThread { first.withLock { $0 = pauses.pause(nil, milliseconds: 20_000, wakeups: wakeups) } }
        while pauses.count == 0 { usleep(1000) }
        var second = PauseEnd.elapsed
        let elapsed = Self.milliseconds { second = pauses.pause(nil, milliseconds: 20_000, wakeups: wakeups) }
        #expect(second == .skipped)
        #expect(elapsed < 1_000)
        wakeups.wakeAll()
        done.wait()
        #expect(first.withLock { $0 } == .woken)
        #expect(pauses.count == 0)
    }
}
