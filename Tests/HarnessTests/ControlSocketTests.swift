import Testing
@testable import Harness
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ControlSocketTests {
    @Test func fileNamesAreReadableUniqueAndShort() {
        let name = ControlSocketPath.fileName(forMountpoint: "/tmp/my sys")
        #expect(name.hasPrefix("tmp-my_sys-"))
        #expect(name.hasSuffix(".sock"))
        #expect(name != ControlSocketPath.fileName(forMountpoint: "/tmp/my_sys"))
        let long = ControlSocketPath.fileName(forMountpoint: "/tmp/" + String(repeating: "deep/", count: 40) + "sys")
        #expect(long.count <= 48 + 1 + 8 + 5)
    }

    @Test func aServerAnswersItsOwnUserAndRemovesItsSocket() throws {
        let directory = "/tmp/fakesysfs-socket-test-\(getpid())"
        try ControlSocketPath.ensurePrivateDirectory(directory)
        defer { rmdir(directory) }
        let path = directory + "/s.sock"
        let server = try ControlServer(path: path, log: { _ in }) { request in
            ControlReply(output: request.arguments.reversed().joined(separator: " "))
        }
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(ControlClient.send(ControlRequest(arguments: ["a", "b\nc"]), to: path) == ControlReply(output: "b\nc a"))
        #expect(throws: ControlServer.Failure.self) {
            _ = try ControlServer(path: path, log: { _ in }) { _ in ControlReply() }
        }
        server.stop()
        #expect(lstat(path, &info) != 0)
        #expect(ControlClient.send(ControlRequest(arguments: []), to: path).error.hasPrefix("cannot connect to \(path)"))
    }

    @Test func aStaleSocketIsReplaced() throws {
        let directory = "/tmp/fakesysfs-stale-test-\(getpid())"
        try ControlSocketPath.ensurePrivateDirectory(directory)
        defer { rmdir(directory) }
        let path = directory + "/s.sock"
        let fd = try SocketIO.streamSocket()
        try SocketIO.bind(fd, to: path)
        close(fd)
        let server = try ControlServer(path: path, log: { _ in }) { _ in ControlReply(output: "fresh") }
        #expect(ControlClient.send(ControlRequest(arguments: []), to: path).output == "fresh")
        server.stop()
    }

    @Test func anOpenDirectoryIsRefused() {
        let directory = "/tmp/fakesysfs-open-test-\(getpid())"
        mkdir(directory, 0o755)
        chmod(directory, 0o755)
        defer { rmdir(directory) }
        #expect(throws: ControlSocketPath.Failure.self) { try ControlSocketPath.ensurePrivateDirectory(directory) }
    }
}
