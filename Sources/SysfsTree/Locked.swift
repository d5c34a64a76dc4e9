#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex, with the `withLock` of `Synchronization.Mutex`.
///
/// Used instead of `Mutex` because ThreadSanitizer does not see `Mutex`'s
/// futex-based synchronization on Linux and reports every access it guards
/// as a race; a pthread mutex it sees, so a TSan run reports only real races.
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Inlinable, so that callers in other modules get it specialized to their value.
    @inlinable
    public func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
