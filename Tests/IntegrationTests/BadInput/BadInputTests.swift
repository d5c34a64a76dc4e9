import SystemPackage
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every row of every table, written with one real write(2) to the mounted
/// tree: the result must be the kernel's, and a refused write must leave the
/// state as it was. With `FAKESYSFS_RELIABILITY_TABLE=FILE` the rows are also
/// appended to FILE as Markdown table lines.
@Suite(.requiresFUSE) struct BadInputTests {
    @Test(arguments: PCIBadInputTables.all + MdevBadInputTables.all + DriverBadInputTables.all)
    func writesGetTheKernelsAnswer(table: BadInputTable) throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        try BadInputTests.run(table, on: tree)
    }

    static func run(_ table: BadInputTable, on tree: MountedTree) throws {
        for (path, text) in table.setup {
            try #require(POSIX.writeFile(tree.path(path), text) == .success(text.utf8.count), "setup \(path)")
        }
        let baseline = observe(table.probes, in: tree)
        var lines: [String] = []
        for row in table.rows {
            let result = POSIX.open(tree.path(table.path), O_WRONLY).flatMap { fd in
                defer { _ = POSIX.close(fd) }
                return POSIX.write(fd, row.input)
            }
            #expect(result == row.kernel, "\(table.attribute) ← \(row.label)")
            lines.append("| `\(table.attribute)` | \(row.label) | \(ByteText.result(row.kernel)) | \(ByteText.result(result)) |")
            switch result {
            case .failure:
                #expect(observe(table.probes, in: tree) == baseline, "\(table.attribute) ← \(row.label) changed state")
            case .success(let count) where count > 0:
                if let shows = row.shows {
                    let content = POSIX.readBytes(tree.path(table.path))
                    #expect(content == .success(shows),
                            "\(table.attribute) ← \(row.label) shows \(content.map(ByteText.summary))")
                }
                for (path, text) in table.restore where row.changesState {
                    #expect(POSIX.writeFile(tree.path(path), text) == .success(text.utf8.count), "restore \(path)")
                }
                #expect(observe(table.probes, in: tree) == baseline, "\(table.attribute) ← \(row.label) not undone")
            case .success:
                #expect(observe(table.probes, in: tree) == baseline, "\(table.attribute) ← \(row.label) changed state")
            }
        }
        ReliabilityTable.append(lines)
    }

    /// What the probes see, one line each; an error is seen as its errno.
    static func observe(_ probes: [Probe], in tree: MountedTree) -> [String] {
        probes.map { probe in
            switch probe {
            case .content(let path):
                return path + ": " + describe(POSIX.readBytes(tree.path(path)).map(ByteText.summary))
            case .listing(let path):
                return path + "/: " + describe(POSIX.names(tree.path(path)).map { $0.joined(separator: " ") })
            case .link(let path):
                return path + " -> " + describe(POSIX.readlink(tree.path(path)))
            }
        }
    }

    private static func describe(_ result: Result<String, Errno>) -> String {
        switch result {
        case .success(let text): return text
        case .failure(let error): return ByteText.errnoName(error)
        }
    }
}

/// Appends rows to `$FAKESYSFS_RELIABILITY_TABLE` for RELIABILITY.md.
enum ReliabilityTable {
    static func append(_ lines: [String]) {
        guard let path = getenv("FAKESYSFS_RELIABILITY_TABLE").map({ String(cString: $0) }), !path.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let text = lines.map { $0 + "\n" }.joined()
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
    }
}
