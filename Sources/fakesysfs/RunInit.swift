import ArgumentParser
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The first process of the PID namespace of `fakesysfs run`: it mounts the
/// namespace's own /proc in a mount namespace of its own (a copy of the
/// run's), starts the command, passes on the termination signals `run` sends,
/// and when the command ends stops what it left behind. When it exits, the
/// kernel kills every process left in the namespace; it exits when `run` dies
/// too (parent-death signal), so nothing the command started outlives `run`.
struct RunInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-init", shouldDisplay: false)

    /// A pipe whose other end only `run` holds: it reads as closed once `run` is gone.
    @Option var livenessFD: Int32

    @Argument(parsing: .postTerminator) var command: [String] = []

    func run() throws {
        throw ExitCode(execute())
    }

    private func execute() -> Int32 {
        CommandProcess.blockSignals()
        guard clinux_set_parent_death_signal(SIGKILL) == 0, !parentIsGone() else { return 125 }
        close(livenessFD)
        guard getpid() == 1 else { return fail("run-init is started by `fakesysfs run`, as the first process of a PID namespace") }
        guard clinux_unshare(Int32(CLONE_NEWNS)) == 0,
              mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0 else {
            return fail("cannot make the command's mount namespace: \(String(cString: strerror(errno)))")
        }
        guard mount("proc", "/proc", "proc", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC), nil) == 0 else {
            return fail("cannot mount the namespace's /proc: \(String(cString: strerror(errno)))")
        }
        let status: Int32
        switch CommandProcess.spawn(command, environment: CommandProcess.currentEnvironment()) {
        case .success(let pid):
            status = CommandProcess.wait(for: pid)
        case .failure(let error):
            status = fail("cannot execute \(command.first ?? ""): \(error)", status: 127)
        }
        Leftovers.stop()
        return status
    }

    private func parentIsGone() -> Bool {
        var poller = pollfd(fd: livenessFD, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) != 0
    }

    private func fail(_ message: String, status: Int32 = 125) -> Int32 {
        _ = "Error: \(message)\n".withCString { write(STDERR_FILENO, $0, strlen($0)) }
        return status
    }
}

/// Starts `run-init` as the first process of a new PID namespace.
enum NamespaceInit {
    /// Spawns this binary's `run-init` for `command` with `environment`; returns its pid
    /// and the end of the liveness pipe the caller keeps open while it lives.
    static func spawn(_ command: [String], environment: [String]) throws(RunFailure) -> (pid: pid_t, liveness: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw RunFailure("cannot create a pipe", errno) }
        // Signals are blocked and the process spawns from this thread only: nothing can fork in between.
        ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
        let ownPIDNamespace = open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC)
        guard ownPIDNamespace >= 0 else {
            ends.forEach { close($0) }
            throw RunFailure("cannot open this process's PID namespace", errno)
        }
        defer { close(ownPIDNamespace) }
        // Only this thread's next child enters the new namespace; threads cannot be
        // created while it differs from the thread's own, so it is put back at once.
        guard clinux_unshare(Int32(CLONE_NEWPID)) == 0 else {
            ends.forEach { close($0) }
            throw RunFailure("cannot make a PID namespace", errno)
        }
        let spawned = spawnInit(command, environment: environment, livenessFD: ends[0])
        let restored = clinux_setns(ownPIDNamespace, Int32(CLONE_NEWPID)) == 0
        close(ends[0])
        switch spawned {
        case .success(let pid):
            if !restored { Log.write("cannot return to this process's PID namespace: \(String(cString: strerror(errno)))") }
            return (pid, ends[1])
        case .failure(let failure):
            close(ends[1])
            throw failure
        }
    }

    private static func spawnInit(_ command: [String], environment: [String], livenessFD: Int32) -> Result<pid_t, RunFailure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let inherited: Int32 = 3
        posix_spawn_file_actions_adddup2(&actions, livenessFD, inherited)
        let arguments = ["fakesysfs", "run-init", "--liveness-fd", String(inherited), "--"] + command
        // The binary by its name, so the process shows as fakesysfs rather than `exe`.
        let binary = realpath("/proc/self/exe", nil).map { resolved in
            defer { free(resolved) }
            return String(cString: resolved)
        } ?? "/proc/self/exe"
        switch CommandProcess.spawn(arguments, path: binary, environment: environment, actions: &actions) {
        case .success(let pid): return .success(pid)
        case .failure(let error): return .failure(RunFailure("cannot start the namespace's first process: \(error)"))
        }
    }
}
