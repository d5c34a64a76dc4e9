import Foundation
import Testing
@testable import Harness
#if canImport(Glibc)
import Glibc
#endif

/// Control clients are served side by side: a silent or dribbling client holds up no one else.
@Suite struct ControlConcurrencyTests {
    func milliseconds(_ body: () -> Void) -> Int {
        var before = timespec(), after = timespec()
        clock_gettime(CLOCK_MONOTONIC, &before)
        body()
        clock_gettime(CLOCK_MONOTONIC, &after)
        return (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1_000_000
    }

    @Test func aSilentClientDelaysNoOtherCommand() throws {
        let directory = "/tmp/fakesysfs-concurrency-test-\(getpid())"
        try ControlSocketPath.ensurePrivateDirectory(directory)
        defer { rmdir(directory) }
        let path = directory + "/s.sock"
        let server = try ControlServer(path: path, log: { _ in }) { _ in ControlReply(output: "served") }
        defer { server.stop() }
        var silent: [Int32] = []
        defer { silent.forEach { close($0) } }
        for _ in 0..<3 {
            let fd = try SocketIO.streamSocket()
            try SocketIO.connect(fd, to: path)
            silent.append(fd)
        }
        // A dribbler: a byte now and then, never a whole line.
        _ = "{".withCString { send(silent[0], $0, 1, 0) }
        var reply = ControlReply()
        let elapsed = milliseconds { reply = ControlClient.send(ControlRequest(arguments: ["status"]), to: path) }
        #expect(reply.output == "served")
        #expect(elapsed < 2_000)
    }

    @Test func aDribblingClientIsDroppedWhenItsTimeIsUp() throws {
        var ends: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        defer { ends.forEach { close($0) } }
        let writer = ends[1]
        Thread.detachNewThread {
            for _ in 0..<30 {
                if "x".withCString({ send(writer, $0, 1, Int32(MSG_NOSIGNAL)) }) < 0 { return }
                usleep(500_000)
            }
        }
        var result: Result<[UInt8], SocketIO.Failure> = .success([])
        let elapsed = milliseconds { result = ControlConnections.readRequest(ends[0], limit: 1 << 20) }
        shutdown(ends[0], Int32(SHUT_RDWR))
        #expect(result.map { _ in "a line" }.mapError { Text($0.description) } == .failure(Text("the request took too long")))
        #expect(elapsed >= ControlConnections.secondsPerClient * 1000 - 100)
        #expect(elapsed < ControlConnections.secondsPerClient * 1000 + 2_000)
    }
}

/// An error's text, comparable.
struct Text: Error, Equatable {
    let text: String
    init(_ text: String) { self.text = text }
}
