import Support
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Work that fills a directory once, before anything else looks inside it:
/// a host of a large fleet, built when its `/sys` is first used. Readers on
/// other threads wait until it is done; the work itself, on its own thread,
/// builds the directory through the ordinary calls without waiting on itself.
final class Preparation: @unchecked Sendable {
    private let work: Locked<(@Sendable (Directory) -> Void)?>
    private let done = Atomic<Bool>(false)
    /// The thread running the work, 0 when none: only that thread ever stores its own id.
    private let worker = Atomic<UInt>(0)

    init(_ work: @escaping @Sendable (Directory) -> Void) {
        self.work = Locked(work)
    }

    var isDone: Bool { done.load(ordering: .acquiring) }

    func run(on directory: Directory) {
        if done.load(ordering: .acquiring) { return }
        let current: UInt = pthread_self()
        if worker.load(ordering: .relaxed) == current { return }
        work.withLock { pending in
            guard let body = pending else { return }
            worker.store(current, ordering: .relaxed)
            body(directory)
            worker.store(0, ordering: .relaxed)
            pending = nil
            done.store(true, ordering: .releasing)
        }
    }
}
