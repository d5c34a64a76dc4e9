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

    private final class Queue { var changes: [Change] = [] }

    private let key = Locked<pthread_key_t?>(nil)

    public init() {}

    deinit {
        if let key = key.withLock({ $0 }) { pthread_key_delete(key) }
    }

    /// Starts queueing changes; call once, before the tree is served.
    public func startObserving() {
        key.withLock { key in
            guard key == nil else { return }
            var created = pthread_key_t()
            let status = pthread_key_create(&created) { pointer in
                guard let pointer else { return }
                Unmanaged<AnyObject>.fromOpaque(pointer).release()
            }
            if status == 0 { key = created }
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
        guard let key = key.withLock({ $0 }) else { return nil }
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue() as? Queue
        }
        guard create else { return nil }
        let queue = Queue()
        pthread_setspecific(key, Unmanaged<AnyObject>.passRetained(queue).toOpaque())
        return queue
    }
}
