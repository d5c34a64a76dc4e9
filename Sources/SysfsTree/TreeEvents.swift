import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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

    /// The thread-specific key of the queues once observed (a process has about a thousand keys).
    private let key = Atomic<UInt64>(TreeEvents.noKey)
    private static let noKey = UInt64.max

    public init() {}

    deinit {
        let created = key.load(ordering: .acquiring)
        if created != TreeEvents.noKey { pthread_key_delete(pthread_key_t(truncatingIfNeeded: created)) }
    }

    /// Starts queueing changes; call once, before the tree is served.
    public func startObserving() {
        guard key.load(ordering: .acquiring) == TreeEvents.noKey else { return }
        var created = pthread_key_t()
        let status = pthread_key_create(&created) { pointer in
            guard let pointer else { return }
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
        guard status == 0 else { return }
        if !key.compareExchange(expected: TreeEvents.noKey, desired: UInt64(created), ordering: .acquiringAndReleasing).exchanged {
            pthread_key_delete(created)
        }
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
        let observed = self.key.load(ordering: .acquiring)
        guard observed != TreeEvents.noKey else { return nil }
        let key = pthread_key_t(truncatingIfNeeded: observed)
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue() as? Queue
        }
        guard create else { return nil }
        let queue = Queue()
        pthread_setspecific(key, Unmanaged<AnyObject>.passRetained(queue).toOpaque())
        return queue
    }
}
