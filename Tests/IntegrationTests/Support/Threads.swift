#if canImport(Glibc)
import Glibc
#endif

/// Runs every body on its own thread at once (unlike `concurrentPerform`,
/// whose width is the number of CPUs) and returns when all have finished.
func runConcurrently(_ bodies: [@Sendable () -> Void]) {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var threads: [pthread_t] = []
    for body in bodies {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Box>.fromOpaque(argument).takeRetainedValue().body()
            return nil
        }, box)
        if status == 0 {
            threads.append(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body()
        }
    }
    for thread in threads { pthread_join(thread, nil) }
}
