import ArgumentParser
import Harness

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Print or filter an access trace written by `fakesysfs mount --trace FILE`.",
        discussion: """
            Prints one readable line per matching record (or the JSON lines with --json). \
            Like grep, exits with status 1 when no record matches, so a test can assert \
            that something happened.

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

    func run() throws {
        var filter = TraceFilter()
        filter.paths = paths
        filter.operations = Set(operations.flatMap { $0.split(separator: ",").map(String.init) })
        filter.pid = pid
        filter.command = command
        filter.host = host
        filter.errorsOnly = errors
        let records: [(line: String, entry: TraceEntry)]
        do {
            records = try TraceLog.read(file)
        } catch {
            throw CommandFailure(error.description)
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
