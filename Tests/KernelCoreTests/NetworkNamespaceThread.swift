import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Runs code on a thread of its own inside a new network namespace; the
/// namespace ends with the thread, and no other thread of the test process
/// ever leaves the namespace it started in.
enum NetworkNamespaceThread {
    struct Unavailable: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "unshare(CLONE_NEWNET): \(String(cString: strerror(errno)))" }
    }

    /// True where this process may make network namespaces (root), or under CI, where a test must fail rather than skip.
    static let available: Bool = {
        if getenv("CI").map({ String(cString: $0) == "true" }) == true { return true }
        return (try? run { true }) == true
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let job = Job { outcome.value = Result { try body() } }
        let context = Unmanaged.passRetained(job).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let job = Unmanaged<Job>.fromOpaque(context).takeRetainedValue()
            if clinux_unshare(Int32(CLONE_NEWNET)) == 0 {
                job.work()
            } else {
                job.unshareError = errno
            }
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            throw Unavailable(errno: status)
        }
        pthread_join(thread, nil)
        guard let value = outcome.value else { throw Unavailable(errno: job.unshareError) }
        return try value.get()
    }

    private final class Outcome<T>: @unchecked Sendable {
        var value: Result<T, any Error>?
    }

    private final class Job: @unchecked Sendable {
        let work: () -> Void
        var unshareError: Int32 = 0
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}
