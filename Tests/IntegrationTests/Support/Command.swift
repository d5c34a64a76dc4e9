import Support
#if canImport(Glibc)
import Glibc
#endif

/// A program run to completion, with its exit status and everything it printed.
struct CommandResult: Equatable, CustomStringConvertible {
    /// The exit status, or 128 + the signal number when a signal ended it.
    let status: Int32
    /// Standard output and standard error, interleaved.
    let output: String

    var description: String { "status \(status): \(output)" }
}

enum Command {
    /// Runs `arguments[0]` with the rest as its arguments, stdin from /dev/null,
    /// and waits for it to exit.
    static func run(_ arguments: [String]) throws -> CommandResult {
        // The child creates the output file itself, so this process never holds
        // a descriptor that a program spawned by another test could inherit.
        let outputPath = "/tmp/fakesysfs-command-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Programs the tests start may leave daemons behind; none gets the test runner's descriptors.
        for fd in openDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var pid = pid_t()
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw TestFailure("cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else { throw TestFailure("waitpid: \(lastError())") }
        }
        return CommandResult(status: exitStatus(waitStatus), output: String(decoding: fileBytes(outputPath), as: UTF8.self))
    }

    private static func exitStatus(_ waitStatus: Int32) -> Int32 {
        let signal = waitStatus & 0x7f
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal
    }
}

/// A failure of the test machinery itself (not of the code under test).
struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

func lastError() -> String { String(cString: strerror(errno)) }

extension String {
    /// The text of a C string buffer, up to its first NUL.
    init(cBuffer: some Collection<CChar>) {
        self.init(decoding: cBuffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
