/// The exit statuses every command keeps to, as `--help` and the docs list them.
enum ExitStatus {
    static let success: Int32 = 0
    /// The kernel (or the server) refused, a pair is incompatible, nothing matched.
    static let refused: Int32 = 1
    /// Bad arguments, or input the command cannot use (a missing file, a tree that is not sysfs).
    static let usage: Int32 = 2

    /// `run`'s own failures, as env(1) and timeout(1) report theirs.
    static let runOwnFailure: Int32 = 125

    static let table = """
        Exit status (every command):
          0  success: done, compatible, matched
          1  refused or incompatible: the kernel, a driver or a check said no
          2  usage error or unusable input: bad arguments, a missing or malformed file
        `run` exits with its command's status, or 125 when fakesysfs itself fails.
        """
}
