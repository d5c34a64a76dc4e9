import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mount --trace` and `fakesysfs trace` as a test uses them.
@Suite(.requiresFUSE) struct AccessTraceTests {
    let numvfs = "/devices/pci0000:00/0000:3b:00.0/sriov_numvfs"

    @Test func writesAndReadsNameTheCaller() throws {
        let trace = TraceFile()
        defer { trace.remove() }
        let tree = try MountedTree.mount(options: ["--trace", trace.path])
        defer { tree.unmount() }
        #expect(POSIX.writeFile(tree.path("/bus/pci/devices/0000:3b:00.0/sriov_numvfs"), "99\n") == .failure(.outOfRange))
        #expect(POSIX.readFile(tree.path(numvfs)) == .success("0\n"))
        let mine = trace.entries.filter { $0.pid == getpid() }
        #expect(mine.map(\.operation) == ["readlink", "open", "write", "read"])
        let write = try #require(mine.first { $0.operation == "write" })
        #expect(write.path == numvfs)
        #expect(write.value == "99\n")
        #expect(write.length == 3)
        #expect(write.error == "ERANGE")
        #expect(mine.first { $0.operation == "open" }?.mode == "w")
        #expect(mine.last?.length == 2)
        #expect(mine.allSatisfy { $0.command != nil })
    }

    @Test func controlChangesUEventsAndReasonsAreTraced() throws {
        let trace = TraceFile()
        defer { trace.remove() }
        let tree = try MountedTree.mount(options: ["--trace", trace.path])
        defer { tree.unmount() }
        _ = try tree.ctl("mark", "step 1")
        _ = try tree.ctl("set-vfs", "0000:3b:00.0", "1")
        #expect(POSIX.writeFile(tree.path(numvfs), "2") == .failure(.resourceBusy))
        let entries = trace.entries
        #expect(entries.first?.operation == "mark")
        #expect(entries.contains { $0.operation == "uevent" && $0.action == "add" && $0.path == "/devices/pci0000:00/0000:3b:00.1" })
        #expect(entries.contains { $0.operation == "ctl" && $0.value == "set-vfs 0000:3b:00.0 1" && $0.errno == 0 })
        let refused = try #require(entries.last)
        #expect(refused.operation == "write")
        #expect(refused.reason == "0000:3b:00.0: 1 VFs already enabled. Disable before enabling 2 VFs")
    }

    /// "Did the stack check compatibility, and why was it refused?" after a live driver downgrade.
    @Test func aRefusedMigrationVersionCarriesTheDriversReason() throws {
        let trace = TraceFile()
        defer { trace.remove() }
        let tree = try MountedTree.mount(options: ["--trace", trace.path])
        defer { tree.unmount() }
        #expect(try tree.ctl("set-vfs", "0000:3b:00.0", "2").status == 0)
        let source = try POSIX.readFile(tree.path("/bus/pci/devices/0000:3b:00.1/migration_version")).get()
        let update = try tree.ctl("update", "0000:3b:00.0", "driver_version=0.9.0")
        #expect(update.status == 0)
        #expect(update.output.hasPrefix("updated 0000:3b:00.0 (nvme-vf): driver_version=0.9.0\n"))
        #expect(POSIX.writeFile(tree.path("/bus/pci/devices/0000:3b:00.2/migration_version"), source) == .failure(.invalidArgument))
        let refused = try #require(trace.entries.last { $0.operation == "write" })
        #expect(refused.path == "/devices/pci0000:00/0000:3b:00.2/migration_version")
        #expect(refused.reason == "0000:3b:00.2: migration_version refused: software_version not matched: source 1.0.0, "
                + "target 0.9.0 (same major, the target's minor at least the source's)")
        #expect(trace.entries.contains { $0.operation == "read" && $0.path == "/devices/pci0000:00/0000:3b:00.1/migration_version" })
    }

    @Test func lookupsOnlyWhenAskedFor() throws {
        let plain = TraceFile(), detailed = TraceFile()
        defer { plain.remove(); detailed.remove() }
        let quiet = try MountedTree.mount(options: ["--trace", plain.path])
        defer { quiet.unmount() }
        let chatty = try MountedTree.mount(options: ["--trace", detailed.path, "--trace-lookups"])
        defer { chatty.unmount() }
        for tree in [quiet, chatty] { _ = POSIX.stat(tree.path("/bus/pci/devices/0000:00:09.0")) }
        #expect(!plain.entries.contains { $0.operation == "lookup" })
        #expect(detailed.entries.contains { $0.operation == "lookup" && $0.path == "/bus/pci/devices/0000:00:09.0" && $0.error == "ENOENT" })
    }

    @Test func traceCommandFiltersAndExitsOneOnNoMatch() throws {
        let trace = TraceFile()
        defer { trace.remove() }
        let tree = try MountedTree.mount(options: ["--trace", trace.path])
        defer { tree.unmount() }
        #expect(POSIX.writeFile(tree.path(numvfs), "x") == .failure(.invalidArgument))
        let errors = try MountedTree.traceCommand(trace.path, "--errors", "--pid", String(getpid()))
        #expect(errors.status == 0)
        #expect(errors.output.hasSuffix(" write \(numvfs) \"x\" = EINVAL\n"))
        #expect(try MountedTree.traceCommand(trace.path, "--op", "write", "--count").output == "1\n")
        #expect(try MountedTree.traceCommand(trace.path, "--path", "*/remove").status == 1)
        let json = try MountedTree.traceCommand(trace.path, "--op", "write", "--json")
        #expect(json.output.hasPrefix("{\"time\":"))
        #expect(json.output.contains("\"error\":\"EINVAL\""))
    }

    /// Like grep: 1 is "no record matches" only; a file that cannot be read, a torn trace
    /// and a bad filter are 2, so `! fakesysfs trace ...` cannot pass on a broken trace.
    @Test func traceCommandExitsTwoWhenItCannotTell() throws {
        let trace = TraceFile()
        defer { trace.remove() }
        let missing = try MountedTree.traceCommand(trace.path, "--op", "write")
        #expect(missing == CommandResult(status: 2, output: "Error: cannot read \(trace.path): No such file or directory\n"))
        let torn = #"{"time":"2026-12-06T10:00:00.000001Z","op":"read","path":"/x","errno":0}"# + "\n" + #"{"time":"2026-12"#
        #expect(POSIX.writeFile(trace.path, torn) == .success(torn.utf8.count))
        #expect(try MountedTree.traceCommand(trace.path, "--op", "write")
                == CommandResult(status: 2, output: "Error: \(trace.path):2: not a trace line\n"))
        let whole = #"{"time":"2026-12-06T10:00:00.000001Z","op":"read","path":"/x","errno":0}"# + "\n"
        unlink(trace.path)
        #expect(POSIX.writeFile(trace.path, whole) == .success(whole.utf8.count))
        #expect(try MountedTree.traceCommand(trace.path, "--op", "write") == CommandResult(status: 1, output: ""))
        let unknown = try MountedTree.traceCommand(trace.path, "--op", "wirte")
        #expect(unknown.status == 2)
        #expect(unknown.output.hasPrefix("Error: unknown operation 'wirte' for --op (known: open, read, write, "))
        let fifo = trace.path + ".fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        #expect(try Command.run(["/usr/bin/timeout", "-s", "KILL", "10", try MountedTree.binary(), "trace", fifo])
                == CommandResult(status: 2, output: "Error: cannot read \(fifo): not a regular file\n"))
    }
}

