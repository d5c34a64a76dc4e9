import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The control connections being served, each on a thread of its own.
final class ControlConnections: Sendable {
    /// More open connections than this are answered "busy" at once.
    static let limit = 32
    /// How long a client has to send its whole request (a byte now and then does not extend it).
    static let secondsPerClient = 10

    private let open = Mutex(0)

    /// Runs `body` on a new detached thread; false when `limit` connections are open already.
    func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let admitted = open.withLock { count in
            guard count < ControlConnections.limit else { return false }
            count += 1
            return true
        }
        guard admitted else { return false }
        let work = Unmanaged.passRetained(Work { [self] in
            body()
            open.withLock { $0 -= 1 }
        }).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Work>.fromOpaque(argument).takeRetainedValue().body()
            return nil
        }, work) == 0 else {
            Unmanaged<Work>.fromOpaque(work).release()
            open.withLock { $0 -= 1 }
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Waits for the connections being served, at most a client's time plus what its command takes.
    func waitUntilNoneRemain(seconds: Int = 30) {
        for _ in 0..<(seconds * 100) {
            if open.withLock({ $0 }) == 0 { return }
            usleep(10_000)
        }
    }

    private final class Work: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Reads one request line, which must arrive whole within `secondsPerClient`.
    static func readRequest(_ fd: Int32, limit: Int) -> Result<[UInt8], SocketIO.Failure> {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let deadline = monotonicSeconds() + Double(secondsPerClient)
        while data.count <= limit {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { return .failure(SocketIO.Failure(description: "the request took too long")) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(remaining * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count < 0 { return .failure(.system("cannot receive")) }
            if count == 0 { break }
            data += buffer.prefix(count)
            if let newline = data.firstIndex(of: UInt8(ascii: "\n")) { return .success(Array(data[..<newline])) }
        }
        guard data.count <= limit else { return .failure(SocketIO.Failure(description: "message longer than \(limit) bytes")) }
        return .success(data)
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
