import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Serves control commands on a Unix socket: a thread of its own accepts,
/// and each connection is served on a thread of its own, so a silent or slow
/// client holds up no one else and is dropped when its time is up. Only the
/// server's own user (and root) may talk to it: the socket is mode 0600 in a
/// 0700 directory, and each peer's uid is checked.
public final class ControlServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let path: String
    private let listener: Int32
    private let stopPipe: (read: Int32, write: Int32)
    private let handler: @Sendable (ControlRequest) -> ControlReply
    private let log: @Sendable (String) -> Void
    private var thread: pthread_t?
    private let connections = ControlConnections()

    public init(path: String, log: @escaping @Sendable (String) -> Void,
                handler: @escaping @Sendable (ControlRequest) -> ControlReply) throws(Failure) {
        self.path = path
        self.handler = handler
        self.log = log
        do {
            listener = try SocketIO.streamSocket()
        } catch {
            throw Failure(description: error.description)
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            close(listener)
            throw Failure(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        stopPipe = (fds[0], fds[1])
        _ = fcntl(stopPipe.read, F_SETFD, FD_CLOEXEC)
        _ = fcntl(stopPipe.write, F_SETFD, FD_CLOEXEC)
        do {
            try bindReplacingStaleSocket()
        } catch {
            closeDescriptors()
            throw error
        }
        let box = Unmanaged.passRetained(self).toOpaque()
        var created = pthread_t()
        guard pthread_create(&created, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<ControlServer>.fromOpaque(argument).takeRetainedValue().serve()
            return nil
        }, box) == 0 else {
            Unmanaged<ControlServer>.fromOpaque(box).release()
            unlink(path)
            closeDescriptors()
            throw Failure(description: "cannot start the control thread")
        }
        thread = created
    }

    /// Stops accepting, waits for the commands in progress, and removes the socket.
    public func stop() {
        guard let thread else { return }
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
        pthread_join(thread, nil)
        self.thread = nil
        connections.waitUntilNoneRemain()
        unlink(path)
        closeDescriptors()
    }

    private func closeDescriptors() {
        close(listener)
        close(stopPipe.read)
        close(stopPipe.write)
    }

    /// A socket file left by a server that died is replaced; a live one is not.
    private func bindReplacingStaleSocket() throws(Failure) {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else { throw Failure(description: "\(path) exists and is no socket") }
            if let probe = try? SocketIO.streamSocket() {
                defer { close(probe) }
                if (try? SocketIO.connect(probe, to: path)) != nil {
                    throw Failure(description: "another server already listens on \(path)")
                }
            }
            unlink(path)
        }
        do {
            try SocketIO.bind(listener, to: path)
        } catch {
            throw Failure(description: error.description)
        }
        guard chmod(path, 0o600) == 0, listen(listener, 8) == 0 else {
            unlink(path)
            throw Failure(description: "cannot listen on \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func serve() {
        var polled = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                      pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&polled, nfds_t(polled.count), -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || polled[1].revents != 0 { return }
            guard polled[0].revents != 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let started = connections.start { [self] in
                handle(connection)
                close(connection)
            }
            if !started {
                SocketIO.setTimeout(connection, seconds: 1)
                try? SocketIO.writeAll(connection, ControlWire.encode(
                    ControlReply.failure("busy: \(ControlConnections.limit) control connections are open")))
                close(connection)
            }
        }
    }

    private func handle(_ connection: Int32) {
        SocketIO.setTimeout(connection, seconds: ControlConnections.secondsPerClient)
        guard let uid = SocketIO.peerUID(connection), uid == getuid() || uid == 0 else {
            log("control: refused a connection from another user")
            try? SocketIO.writeAll(connection, ControlWire.encode(
                ControlReply.failure("permission denied: this mount belongs to uid \(getuid())")))
            return
        }
        let reply: ControlReply
        switch ControlConnections.readRequest(connection, limit: ControlWire.maximumBytes) {
        case .success(let line):
            if let request = ControlWire.decode(ControlRequest.self, from: line) {
                reply = handler(request)
            } else {
                reply = .failure("malformed control request")
            }
        case .failure(let error):
            reply = .failure(error.description)
        }
        try? SocketIO.writeAll(connection, ControlWire.encode(reply))
    }
}

/// Sends one command to the server of a mount and returns its reply.
public enum ControlClient {
    public static func send(_ request: ControlRequest, to path: String) -> ControlReply {
        do {
            let fd = try SocketIO.streamSocket()
            defer { close(fd) }
            try SocketIO.connect(fd, to: path)
            try ControlSocketPath.checkPeer(fd, path: path)
            SocketIO.setTimeout(fd, seconds: 600)
            try SocketIO.writeAll(fd, ControlWire.encode(request))
            let line = try SocketIO.readLine(fd, limit: 64 << 20)
            guard let reply = ControlWire.decode(ControlReply.self, from: line) else {
                return .failure("the server sent no reply (did it stop?)")
            }
            return reply
        } catch let error as SocketIO.Failure {
            return .failure(error.description)
        } catch {
            return .failure("\(error)")
        }
    }
}
