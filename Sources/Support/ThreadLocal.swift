#if canImport(Glibc)
import Glibc
#endif

/// One object per thread under a pthread key, made on first use and released
/// when its thread ends. Only its own thread touches it.
public final class ThreadLocal<Object: AnyObject>: @unchecked Sendable {
    private let key: pthread_key_t

    /// nil when the process is out of keys (it has about a thousand).
    public init?() {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
        guard status == 0 else { return nil }
        self.key = key
    }

    deinit {
        pthread_key_delete(key)
    }

    /// This thread's object, made with `make` if it has none yet and `make` is given.
    public func current(orMake make: (() -> Object)? = nil) -> Object? {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<Object>.fromOpaque(pointer).takeUnretainedValue()
        }
        guard let make else { return nil }
        let object = make()
        guard pthread_setspecific(key, Unmanaged.passRetained(object).toOpaque()) == 0 else {
            Unmanaged.passUnretained(object).release()
            return nil
        }
        return object
    }
}
