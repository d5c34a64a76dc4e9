import Harness
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs ctl` and `fakesysfs trace` as a test script would run them.
extension MountedTree {
    /// Runs `fakesysfs ctl ROOT WORDS...`.
    func ctl(_ words: String...) throws -> CommandResult {
        try Command.run([try MountedTree.binary(), "ctl", root] + words)
    }

    /// Runs `fakesysfs trace FILE ARGUMENTS...`.
    static func traceCommand(_ file: String, _ arguments: String...) throws -> CommandResult {
        try Command.run([try MountedTree.binary(), "trace", file] + arguments)
    }
}

/// A trace file name outside any mount's workspace, removed by the test's `defer`.
struct TraceFile {
    let path = "/tmp/fakesysfs-trace-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).jsonl"

    var entries: [TraceEntry] { (try? TraceLog.read(path).map(\.entry)) ?? [] }

    func remove() { unlink(path) }
}

extension Result {
    /// The error, or nil on success: for results whose value cannot be compared.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
