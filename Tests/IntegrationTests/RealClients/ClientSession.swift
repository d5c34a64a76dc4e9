import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `fakesysfs` binary (and unmodified clients through it) as a
/// user would, with every wait bounded.
///
/// The binary is the one `MountedTree.binary()` finds.
enum ClientSession {
    struct Outcome: CustomStringConvertible {
        /// The exit status, or 128 + the signal number when a signal ended the process.
        let status: Int32
        let stdout: String
        let stderr: String

        var description: String { "status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `fakesysfs run -- /bin/sh -c script`.
    static func run(script: String, timeoutSeconds: Int = 120) throws -> Outcome {
        try spawn([try MountedTree.binary(), "run", "--", "/bin/sh", "-c", script], timeoutSeconds: timeoutSeconds)
    }

    /// Runs `arguments` (the first searched in PATH) with stdin from /dev/null and returns what it printed. A
    /// process still running after `timeoutSeconds` gets SIGTERM (which `fakesysfs run`
    /// passes on), then SIGKILL 20 s later, and the call throws.
    static func spawn(_ arguments: [String], timeoutSeconds: Int = 60,
                      afterStart: ((pid_t) -> Void)? = nil) throws -> Outcome {
        let stem = "/tmp/fakesysfs-client-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let outPath = stem + ".out", errPath = stem + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        var pid = pid_t()
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw Failure(description: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        afterStart?(pid)
        var status = wait(pid, seconds: timeoutSeconds)
        if status == nil {
            kill(pid, SIGTERM)
            status = wait(pid, seconds: 20)
            if status == nil {
                kill(pid, SIGKILL)
                _ = wait(pid, seconds: 5)
            }
            throw Failure(description: "\(arguments.joined(separator: " ")) did not finish within \(timeoutSeconds) s\n"
                + "stdout:\n\(text(outPath))\nstderr:\n\(text(errPath))")
        }
        return Outcome(status: status ?? -1, stdout: text(outPath), stderr: text(errPath))
    }

    private static func wait(_ pid: pid_t, seconds: Int) -> Int32? {
        for _ in 0..<(seconds * 50) {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 && errno != EINTR { return -1 }
            usleep(20_000)
        }
        return nil
    }

    static func text(_ path: String) -> String {
        String(decoding: fileBytes(path), as: UTF8.self)
    }
}

/// The programs a real-client test drives, and whether it may run here.
enum ClientTools {
    /// The first of `names` not found in PATH (or absolute and not executable).
    static func missing(_ names: [String]) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return names.first { name in
            name.hasPrefix("/") ? access(name, X_OK) != 0
                : !directories.contains { access($0 + "/" + name, X_OK) == 0 }
        }
    }

    /// `fakesysfs run` needs root (namespaces, mounts) and FUSE.
    static var canRun: Bool { geteuid() == 0 && FUSEAvailability.isUsable }

    /// Under CI=true nothing is skipped: a missing tool or privilege fails the test.
    static func ready(_ names: [String]) -> Bool {
        FUSEAvailability.isCI || (canRun && missing(names) == nil)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs where root, FUSE and `tools` are available, and always under CI=true.
    static func requiresClients(_ tools: String...) -> Self {
        .enabled(if: ClientTools.ready(tools),
                 "needs root, /dev/fuse and \(tools.joined(separator: ", ")); under CI=true the test fails instead")
    }
}

/// What a script run with `step` printed, by step: each step's output and status.
///
/// In the script, `step NAME COMMAND...` runs COMMAND with stderr joined to stdout.
/// The markers around a step's output sit on lines of their own even when the
/// output does not end in a newline, so every output is kept byte for byte.
struct StepLog {
    struct Step {
        let output: String
        let status: Int32

        /// The non-empty lines.
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    /// Shell functions for the scripts: `step NAME CMD...`, and `until_ok NAME SECONDS CMD...`,
    /// which retries CMD every 0.1 s until it succeeds (status 0) or the time is up (status 1).
    static let prelude = """
        step() { _name=$1; shift; echo "@@begin $_name"; "$@" 2>&1; _status=$?; echo; echo "@@end $_name $_status"; }
        until_ok() {
            _name=$1; _tries=$(($2 * 10)); _status=0; shift 2
            while ! "$@" >/dev/null 2>&1; do
                _tries=$((_tries - 1)); if [ $_tries -le 0 ]; then _status=1; break; fi; sleep 0.1
            done
            printf '@@begin %s\n\n@@end %s %s\n' "$_name" "$_name" "$_status"
        }

        """

    private(set) var steps: [String: Step] = [:]

    init(_ text: String) {
        var rest = Substring(text)
        while let begin = rest.firstRange(of: "@@begin ") {
            rest = rest[begin.upperBound...]
            guard let nameEnd = rest.firstIndex(of: "\n") else { return }
            let name = String(rest[..<nameEnd])
            rest = rest[rest.index(after: nameEnd)...]
            guard let end = rest.firstRange(of: "\n@@end \(name) ") else { return }
            let output = String(rest[..<end.lowerBound])
            rest = rest[end.upperBound...]
            let statusText = rest.prefix(while: { $0 != "\n" })
            steps[name] = Step(output: output, status: Int32(statusText) ?? -1)
        }
    }

    subscript(name: String) -> Step? { steps[name] }
}

extension String {
    /// Without leading and trailing spaces and newlines.
    var strippingBlanks: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\n" }
        return String(drop(while: isBlank).reversed().drop(while: isBlank).reversed())
    }
}
