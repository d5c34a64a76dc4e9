import Support
import Synchronization

/// The name changes in a tree, for whoever keeps caches of it (the FUSE
/// server tells the kernel to drop its cached entries).
///
/// Changes are queued per thread: the thread that changed the tree (a
/// `store` running inside a FUSE write, or a control command) drains exactly
/// its own changes before it answers, without waiting for other writers.
/// Nothing is queued until someone observes the tree.
public final class TreeEvents: @unchecked Sendable {
    public struct Change: Sendable, Equatable {
        /// The directory whose entry changed.
        public let parent: UInt64
        public let name: String
        /// The node that went away, if one did.
        public let child: UInt64?
    }

    /// Thread-confined, as `KernelMessages`' lines: no run-time exclusivity check.
    private final class Queue { @exclusivity(unchecked) var changes: [Change] = [] }

    /// The queues, per thread, once the tree is observed (a process has about a thousand keys).
    private let queues = AtomicLazyReference<ThreadLocal<Queue>>()

    public init() {}

    /// Starts queueing changes; call once, before the tree is served.
    public func startObserving() {
        guard queues.load() == nil, let threads = ThreadLocal<Queue>() else { return }
        _ = queues.storeIfNil(threads)
    }

    func record(_ change: Change) {
        guard let queue = currentQueue(create: true) else { return }
        queue.changes.append(change)
    }

    /// Hands this thread's queued changes to `deliver`, oldest first.
    public func drain(_ deliver: (Change) -> Void) {
        guard let queue = currentQueue(create: false), !queue.changes.isEmpty else { return }
        let changes = queue.changes
        queue.changes.removeAll(keepingCapacity: true)
        changes.forEach(deliver)
    }

    private func currentQueue(create: Bool) -> Queue? {
        guard let threads = queues.load() else { return nil }
        return create ? threads.current(orMake: { Queue() }) : threads.current()
    }
}
