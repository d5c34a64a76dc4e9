import ArgumentParser
import Harness

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Print or filter an access trace written by `fakesysfs mount --trace FILE`.",
        discussion: """
            Prints one readable line per matching record (or the JSON lines with --json). \
            Like grep, exits with status 0 when a record matches, 1 when none does, and 2 \
            when the file cannot be read, is not a whole trace, or the options are wrong \
            (an unknown --op, say), so a test can tell "it did not happen" from "cannot tell".

            Example: did anyone check compatibility before migrating?
              fakesysfs trace /tmp/trace.jsonl --op read --path '*/migration_version'
            """)

    @Argument(help: "The trace file.")
    var file: String

    @Option(name: .customLong("path"), help: "Keep paths matching this glob (* also matches /); repeatable.")
    var paths: [String] = []

    @Option(name: .customLong("op"), help: "Keep these operations (open, read, write, readdir, readlink, lookup, getattr, uevent, ctl, mark); repeatable or comma-separated.")
    var operations: [String] = []

    @Option(help: "Keep operations of this process.")
    var pid: Int32?

    @Option(name: .customLong("comm"), help: "Keep operations of processes with this command name.")
    var command: String?

    @Option(help: "Keep operations on this host (multi-host mounts).")
    var host: String?

    @Flag(help: "Keep failed operations only.")
    var errors = false

    @Flag(help: "Print the matching JSON lines unchanged.")
    var json = false

    @Flag(help: "Print only how many records match.")
    var count = false

    /// The operations `--op` takes.
    static let operationNames = ["open", "read", "write", "readdir", "readlink", "lookup", "getattr", "uevent", "ctl", "mark"]

    private var operationSet: Set<String> { Set(operations.flatMap { $0.split(separator: ",").map(String.init) }) }

    func validate() throws {
        if let unknown = operationSet.subtracting(Self.operationNames).sorted().first {
            throw ValidationError("unknown operation '\(unknown)' for --op (known: \(Self.operationNames.joined(separator: ", ")))")
        }
    }

    func run() throws {
        var filter = TraceFilter()
        filter.paths = paths
        filter.operations = operationSet
        filter.pid = pid
        filter.command = command
        filter.host = host
        filter.errorsOnly = errors
        let records: [(line: String, entry: TraceEntry)]
        do {
            records = try TraceLog.read(file)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let kept = records.filter { filter.keeps($0.entry) }
        if count {
            print(kept.count)
        } else {
            for record in kept { print(json ? record.line : record.entry.readable) }
        }
        if kept.isEmpty { throw ExitCode(1) }
    }
}
