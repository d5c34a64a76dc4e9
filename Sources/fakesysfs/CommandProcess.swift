import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The command `fakesysfs run` runs: spawned with default signal handling,
/// sent the termination signals other processes send to `run`, and waited for.
///
/// The caller blocks `signals` in every thread before any is started, so they
/// reach `run` only through `sigtimedwait` here.
enum CommandProcess {
    static let forwarded: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// How long a command that was asked to stop may take before it is killed.
    static let graceSeconds = 10

    static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        (forwarded + [SIGCHLD]).forEach { sigaddset(&set, $0) }
        return set
    }

    /// Blocks `signals` in the calling thread and every thread it starts later.
    static func blockSignals() {
        var set = signals
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// A termination signal that arrived while signals were blocked, if any.
    static func pendingTermination() -> Int32? {
        var set = signals
        var info = siginfo_t()
        var immediately = timespec(tv_sec: 0, tv_nsec: 0)
        while true {
            let signal = sigtimedwait(&set, &info, &immediately)
            if signal < 0 { return nil }
            if forwarded.contains(signal) { return signal }
        }
    }

    /// Spawns `arguments` (the program searched in PATH, or `path`) with
    /// `environment` and the file `actions`; the errno if it cannot be executed.
    static func spawn(_ arguments: [String], path: String? = nil, environment: [String],
                      actions: UnsafeMutablePointer<posix_spawn_file_actions_t>? = nil) -> Result<pid_t, Errno> {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        // The server ignores SIGPIPE; the command must not inherit that.
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, Int32(signal)) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let status = path.map { posix_spawn(&pid, $0, actions, &attributes, argv, envp) }
            ?? posix_spawnp(&pid, arguments[0], actions, &attributes, argv, envp)
        return status == 0 ? .success(pid) : .failure(Errno(rawValue: status))
    }

    /// This process's environment, as `KEY=value` strings.
    static func currentEnvironment() -> [String] {
        var variables: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            variables.append(String(cString: pointer))
            entry += 1
        }
        return variables
    }

    /// Waits for `pid` and returns its exit status, or 128 + the signal that killed it.
    static func wait(for pid: pid_t) -> Int32 {
        var set = signals
        var stopDeadline: Deadline?
        while true {
            if let status = reapChildren(watching: pid) { return status }
            var info = siginfo_t()
            var interval = timespec(tv_sec: 0, tv_nsec: 200_000_000)
            let signal = sigtimedwait(&set, &info, &interval)
            // A terminal's ^C reaches the command's process group by itself (SI_KERNEL);
            // only signals that a process sent to `run` are passed on.
            if forwarded.contains(signal), info.si_code == SI_USER || info.si_code == SI_QUEUE {
                kill(pid, signal)
            }
            if forwarded.contains(signal), stopDeadline == nil {
                stopDeadline = Deadline(secondsFromNow: graceSeconds)
            }
            if let deadline = stopDeadline, deadline.hasPassed {
                kill(pid, SIGKILL)
            }
        }
    }

    /// Reaps every child that has exited: the command, and the orphans that
    /// come to `run` as their subreaper. Returns the exit status of `pid` if it was one of them.
    @discardableResult
    static func reapChildren(watching pid: pid_t? = nil) -> Int32? {
        var watched: Int32?
        while true {
            var status: Int32 = 0
            let child = waitpid(-1, &status, WNOHANG)
            if child <= 0 { return watched }
            if child == pid { watched = exitStatus(status) }
        }
    }

    /// Reaps children until none is left, for at most `seconds`.
    static func reapAllChildren(withinSeconds seconds: Int) {
        let deadline = Deadline(secondsFromNow: seconds)
        while !deadline.hasPassed {
            var status: Int32 = 0
            let child = waitpid(-1, &status, WNOHANG)
            if child < 0 { return }
            if child == 0 { usleep(20_000) }
        }
    }

    static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// A moment on the monotonic clock, for bounded waits.
struct Deadline {
    private let time: timespec

    init(secondsFromNow seconds: Int) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        now.tv_sec += seconds
        time = now
    }

    var millisecondsLeft: Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return (time.tv_sec - now.tv_sec) * 1000 + (time.tv_nsec - now.tv_nsec) / 1_000_000
    }

    var hasPassed: Bool { millisecondsLeft <= 0 }
}
