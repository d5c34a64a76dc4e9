#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex, with the `withLock` of `Synchronization.Mutex`.
///
/// Used instead of `Mutex` because ThreadSanitizer does not see `Mutex`'s
/// futex-based synchronization on Linux and reports every access it guards
/// as a race; a pthread mutex it sees, so a TSan run reports only real races.
/// The value and its mutex share one allocation: every directory has one.
public struct Locked<Value>: @unchecked Sendable {
    @usableFromInline let storage: LockedStorage<Value>

    /// Inlinable, as `withLock`, so that callers in other modules get them
    /// specialized to their value: unspecialized, every call looks the
    /// storage's generic metadata up at run time.
    @inlinable
    public init(_ value: Value) {
        storage = LockedStorage.make(value)
    }

    @inlinable
    public func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try storage.withUnsafeMutablePointers { value, mutex throws(Failure) -> Result in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&value.pointee)
        }
    }
}

/// The value as the header and the mutex as the single element of one heap object.
@usableFromInline
final class LockedStorage<Value>: ManagedBuffer<Value, pthread_mutex_t> {
    @inlinable
    static func make(_ value: Value) -> LockedStorage<Value> {
        let buffer = unsafeDowncast(create(minimumCapacity: 1) { _ in value }, to: LockedStorage<Value>.self)
        buffer.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            pthread_mutex_init(mutex, nil)
        }
        return buffer
    }

    /// The header (the value) goes with the object; the element is this class's to destroy.
    deinit {
        withUnsafeMutablePointerToElements { mutex in
            pthread_mutex_destroy(mutex)
            mutex.deinitialize(count: 1)
        }
    }
}
