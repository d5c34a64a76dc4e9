import FuseServer
#if canImport(Glibc)
import Glibc
#endif

/// Runs a FUSE server on a thread of its own and reports, through a pipe,
/// when it serves, when it fails and when its loop has ended.
final class ServerThread: @unchecked Sendable {
    private let server: FuseServer
    private let mountpoint: String
    private let readEnd: Int32
    private let writeEnd: Int32
    private var thread = pthread_t()

    private init(server: FuseServer, mountpoint: String, pipe ends: (Int32, Int32)) {
        self.server = server
        self.mountpoint = mountpoint
        (readEnd, writeEnd) = ends
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Mounts `server` at `mountpoint` and returns once the tree is served.
    static func start(_ server: FuseServer, at mountpoint: String, timeoutSeconds: Int = 10) throws(RunFailure) -> ServerThread {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw RunFailure("cannot create a pipe", errno) }
        ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
        let runner = ServerThread(server: server, mountpoint: mountpoint, pipe: (ends[0], ends[1]))
        let context = Unmanaged.passRetained(runner).toOpaque()
        let status = pthread_create(&runner.thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<ServerThread>.fromOpaque(context).takeRetainedValue().serve()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<ServerThread>.fromOpaque(context).release()
            throw RunFailure("cannot start the server thread", status)
        }
        switch runner.nextLine(timeoutSeconds: timeoutSeconds) {
        case "ready":
            return runner
        case let line?:
            pthread_join(runner.thread, nil)
            throw RunFailure(line.hasPrefix("error: ") ? String(line.dropFirst(7)) : "the server stopped: \(line)")
        case nil:
            throw RunFailure("the server did not start serving \(mountpoint) within \(timeoutSeconds) s")
        }
    }

    /// Detaches `targets` (every mount of the served tree); the FUSE loop ends
    /// once the last one is gone. Where that does not happen (a mount out of
    /// reach, a file still open), `abort` severs the connection instead.
    func stop(unmounting targets: [String], orAbort abort: () -> Bool) {
        Sandbox.unmount(targets)
        if nextLine(timeoutSeconds: 2) != nil || (abort() && nextLine(timeoutSeconds: 3) != nil) {
            pthread_join(thread, nil)
        } else {
            Log.write("the server did not stop; it ends with this process")
        }
    }

    private func serve() {
        do {
            try server.run(mountpoint: mountpoint) { report("ready") }
            report("done")
        } catch {
            report("error: \(error)")
        }
    }

    private func report(_ line: String) {
        _ = (line + "\n").withCString { write(writeEnd, $0, strlen($0)) }
    }

    private func nextLine(timeoutSeconds: Int) -> String? {
        var bytes: [UInt8] = []
        let deadline = Deadline(secondsFromNow: timeoutSeconds)
        while true {
            let remaining = deadline.millisecondsLeft
            guard remaining > 0 else { return nil }
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: remaining))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            var byte: UInt8 = 0
            guard read(readEnd, &byte, 1) == 1 else { return nil }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
