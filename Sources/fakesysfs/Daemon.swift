import Harness
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Starts the server in the background: the same binary with `--foreground`,
/// reporting through a pipe once the tree is served.
///
/// The server stays in the caller's session, in a process group of its own.
/// A new session (`setsid`, what `fuse_daemonize` does) would also be a new
/// scheduler autogroup, and a server in its own autogroup gets at most half
/// the CPUs against a busy client in the caller's (see BENCHMARKS.md). Its own
/// process group keeps it out of the terminal's job control: Ctrl-C, Ctrl-Z and
/// the shell's SIGHUP to its jobs go to the caller's group, not to the server;
/// the kernel's own SIGHUP of a terminal that hangs up is ignored by the server
/// (see `HangupListener`). `setsid fakesysfs mount ...` gives the old placement.
enum Daemon {
    /// The signals the server handles, back to their default disposition: a
    /// caller started in the background by a shell ignores SIGINT and SIGQUIT,
    /// and `nohup` ignores SIGHUP.
    private static let handledSignals = [SIGHUP, SIGINT, SIGQUIT, SIGTERM]

    /// What a started server reported: what it serves, and where its log is.
    struct Started {
        let summary: String
        let logPath: String
    }

    static func start(arguments: [String], mountpoint: String, log: String?) throws -> Started {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw CommandFailure("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
        let logPath = try log ?? defaultLogPath(for: mountpoint)
        let logFD = try openLog(logPath)
        defer { close(logFD) }
        let childArguments = [arguments[0]] + Array(arguments.dropFirst())
            + ["--foreground", "--ready-fd", String(writeEnd)]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The server outlives this command: it must not hold the caller's
        // descriptors (a test runner's pipes, say) open, only stdio and the ready pipe.
        for fd in openDescriptors() where fd > 2 && fd != writeEnd && fd != logFD {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logFD, 1)
        posix_spawn_file_actions_adddup2(&actions, logFD, 2)
        posix_spawn_file_actions_addclose(&actions, logFD)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in handledSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid = pid_t()
        let cArguments = childArguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let status = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, cArguments, environ)
        close(writeEnd)
        defer { close(readEnd) }
        guard status == 0 else {
            throw CommandFailure("cannot start the server: \(String(cString: strerror(status)))")
        }
        let reply = readAll(readEnd)
        if reply.hasPrefix("ok") {
            return Started(summary: String(reply.dropFirst(2).drop(while: { $0 == " " })).trimming("\n"), logPath: logPath)
        }
        var exitStatus: Int32 = 0
        waitpid(pid, &exitStatus, 0)
        if reply.hasPrefix(unusablePrefix) {
            throw CommandFailure.unusable(String(reply.dropFirst(unusablePrefix.count)).trimming("\n"))
        }
        let reason = reply.hasPrefix("error: ") ? String(reply.dropFirst(7)) : "the server exited; see \(logPath)"
        throw CommandFailure(reason.trimming("\n"))
    }

    /// Keeps the ready pipe out of processes the server starts (libfuse's fusermount3 watchdog).
    static func closeOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// `summary` is one line: what the server serves.
    static func signalReady(_ fd: Int32, summary: String) {
        let text = "ok \(summary)\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    private static let unusablePrefix = "unusable: "

    /// `unusable`: the input (the scenario) is at fault, not the machine.
    static func signalFailure(_ fd: Int32, _ message: String, unusable: Bool = false) {
        let text = "\(unusable ? unusablePrefix : "error: ")\(message)\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// Beside the control socket, in the user's private runtime directory: one file per mount point.
    static func defaultLogPath(for mountpoint: String) throws -> String {
        do throws(ControlSocketPath.Failure) {
            return try ControlSocketPath.logPath(forMountpoint: mountpoint)
        } catch {
            throw CommandFailure("no private directory for the log: \(error.description)")
        }
    }

    /// The log, opened here: no link followed, a regular file only, in a private directory
    /// or a sticky one (see `ServerFile`).
    private static func openLog(_ path: String) throws -> Int32 {
        do throws(ServerFile.Refusal) {
            return try ServerFile.openForWriting(path, append: true)
        } catch {
            throw CommandFailure("cannot write the log \(error.description)")
        }
    }

    private static func readAll(_ fd: Int32) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            data += buffer.prefix(count)
            if data.contains(UInt8(ascii: "\n")) { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}
