import CFuse3
import Support
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a `FuseRequest.pause` ended.
public enum PauseEnd: Sendable, Equatable {
    /// The whole time passed.
    case elapsed
    /// The caller was interrupted (FUSE_INTERRUPT): it no longer waits for the reply.
    case interrupted
    /// `PauseWakeups.wakeAll` ended it.
    case woken
    /// Not held at all: every other worker is already paused.
    case skipped
}

/// Ends the pauses that are under way when `wakeAll` is called, as when the
/// faults that caused them are cleared.
public final class PauseWakeups: Sendable {
    /// The write ends of the pipes of the pauses under way. A pause leaves
    /// before it closes its pipe, and `wakeAll` writes under the same lock.
    private let waiting = Locked<Set<Int32>>([])

    public init() {}

    public func wakeAll() {
        waiting.withLock { descriptors in
            for descriptor in descriptors { RequestPauses.signal(descriptor) }
        }
    }

    func enter(_ descriptor: Int32) { waiting.withLock { _ = $0.insert(descriptor) } }
    func leave(_ descriptor: Int32) { waiting.withLock { _ = $0.remove(descriptor) } }
}

/// The server's record of paused requests: at most `limit` workers may be
/// paused at once, so that one is always left to read interrupts and serve.
final class RequestPauses: Sendable {
    private let paused = Atomic<Int>(0)
    let limit: Int

    init(workers: UInt32) {
        limit = Int(workers) - 1
    }

    var count: Int { paused.load(ordering: .relaxed) }

    func pause(_ request: fuse_req_t?, milliseconds: Int, wakeups: PauseWakeups) -> PauseEnd {
        guard milliseconds > 0 else { return .elapsed }
        guard reserve() else { return .skipped }
        defer { paused.subtract(1, ordering: .relaxed) }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return .skipped }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        defer {
            close(readEnd)
            close(writeEnd)
        }
        wakeups.enter(writeEnd)
        defer { wakeups.leave(writeEnd) }
        // The interrupt function runs on the worker that reads FUSE_INTERRUPT,
        // under the request's lock; setting it to nil takes that lock, so no
        // call can follow the reset.
        if let request {
            fuse_req_interrupt_func(request, { _, data in
                RequestPauses.signal(Int32(truncatingIfNeeded: Int(bitPattern: data) - 1))
            }, UnsafeMutableRawPointer(bitPattern: Int(writeEnd) + 1))
        }
        defer { if let request { fuse_req_interrupt_func(request, nil, nil) } }
        let woken = RequestPauses.wait(on: readEnd, milliseconds: milliseconds)
        guard woken else { return .elapsed }
        if let request, fuse_req_interrupted(request) != 0 { return .interrupted }
        return .woken
    }

    private func reserve() -> Bool {
        var current = paused.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = paused.compareExchange(expected: current, desired: current + 1,
                                                                ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// True when `descriptor` was signalled before `milliseconds` passed.
    static func wait(on descriptor: Int32, milliseconds: Int) -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while true {
            let remaining = deadline - monotonicMilliseconds()
            if remaining <= 0 { return false }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: remaining))
            if ready > 0 { return true }
        }
    }

    static func signal(_ descriptor: Int32) {
        var byte: UInt8 = 1
        _ = Glibc.write(descriptor, &byte, 1)
    }

    private static func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }
}
