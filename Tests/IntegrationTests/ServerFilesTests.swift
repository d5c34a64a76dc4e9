import Harness
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--trace` and `--state` in a shared directory such as /tmp: another user's
/// links are not followed, one state file has one server, temporaries never
/// collide with a state file, and a full disk never tears a trace line.
@Suite(.requiresFUSE) struct ServerFilesTests {
    /// A sticky, world-writable directory, as /tmp is.
    final class Shared {
        let path: String

        init() throws {
            var template = Array("/tmp/fakesysfs-shared.XXXXXX".utf8CString)
            guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
            path = String(cBuffer: template)
            chmod(path, 0o1777)
        }

        func remove() {
            for name in (try? POSIX.names(path).get()) ?? [] { unlink(path + "/" + name) }
            rmdir(path)
        }
    }

    @Test func mountRefusesATraceOrStatePathThatIsALink() throws {
        let shared = try Shared()
        defer { shared.remove() }
        let victim = shared.path + "/victim"
        #expect(POSIX.writeFile(victim, "precious") == .success(8))
        #expect(symlink(victim, shared.path + "/trace.jsonl") == 0)
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        try tree.unmountCommand().expectSuccess()
        #expect(try tree.mountCommand(options: ["--trace", shared.path + "/trace.jsonl"]) == CommandResult(
            status: 1, output: "Error: cannot write the trace to \(shared.path)/trace.jsonl: is a symbolic link; it is not followed\n"))
        #expect(symlink(victim, shared.path + "/state.json") == 0)
        #expect(try tree.mountCommand(options: ["--state", shared.path + "/state.json"]) == CommandResult(
            status: 1, output: "Error: cannot read the state: \(shared.path)/state.json: is a symbolic link; it is not followed\n"))
        #expect(POSIX.readFile(victim) == .success("precious"))
        #expect(!tree.isMounted)
    }

    /// Another user's FIFO or link as the log: refused at once, naming the file (a FIFO used to hang mount in open).
    @Test func mountRefusesALogThatIsAFIFOOrALink() throws {
        let shared = try Shared()
        defer { shared.remove() }
        let target = shared.path + "/m"
        _ = POSIX.mkdir(target)
        defer { rmdir(target) }
        let fifo = shared.path + "/fakesysfs.log"
        #expect(mkfifo(fifo, 0o666) == 0)
        #expect(try Command.run(["/usr/bin/timeout", "-s", "KILL", "10", try MountedTree.binary(), "mount", "--log", fifo, target])
                == CommandResult(status: 1, output: "Error: cannot write the log \(fifo): not a regular file (a FIFO, socket, device or directory)\n"))
        let link = shared.path + "/link.log"
        #expect(symlink(shared.path + "/victim", link) == 0)
        #expect(try Command.run([try MountedTree.binary(), "mount", "--log", link, target])
                == CommandResult(status: 1, output: "Error: cannot write the log \(link): is a symbolic link; it is not followed\n"))
        #expect(!MountTable.contains(target))
    }

    /// Without --log, the log is the mount point's own file in the user's private runtime directory.
    @Test func theDefaultLogIsPrivate() throws {
        let shared = try Shared()
        defer { shared.remove() }
        let target = shared.path + "/m"
        _ = POSIX.mkdir(target)
        defer { rmdir(target) }
        let mounted = try Command.run([try MountedTree.binary(), "mount", target])
        defer { _ = try? Command.run([try MountedTree.binary(), "unmount", target]) }
        try #require(mounted.status == 0, "\(mounted)")
        let directory = try ControlSocketPath.privateDirectory()
        let log = try #require(mounted.output.split(separator: "; ").first { $0.hasPrefix("log: ") }).dropFirst(5)
        #expect(log.hasPrefix(directory + "/"))
        #expect(log.hasSuffix(".log"))
        var info = stat()
        #expect(lstat(String(log), &info) == 0 && info.st_mode & 0o7777 == 0o600 && info.st_uid == getuid())
        #expect(lstat(directory, &info) == 0 && info.st_mode & 0o7777 == 0o700 && info.st_uid == getuid())
        #expect(try POSIX.readFile(String(log)).get().contains("serving \(target)"))
        _ = try Command.run([try MountedTree.binary(), "unmount", target])
        unlink(String(log))
    }

    /// The old temporary name was `FILE.tmp`: a link planted there is now left alone.
    @Test func theStateIsSavedThroughAnUnpredictableTemporary() throws {
        let shared = try Shared()
        defer { shared.remove() }
        let victim = shared.path + "/victim"
        #expect(POSIX.writeFile(victim, "precious") == .success(8))
        let state = shared.path + "/state.json"
        #expect(symlink(victim, state + ".tmp") == 0)
        let tree = try MountedTree.mount(options: ["--state", state])
        defer { tree.unmount() }
        #expect(POSIX.writeFile(tree.path("/bus/pci/devices/0000:3b:00.0/sriov_numvfs"), "2") == .success(1))
        #expect(try POSIX.readFile(state).get().contains("\"numVFs\" : 2"))
        #expect(POSIX.readFile(victim) == .success("precious"))
        #expect(POSIX.readlink(state + ".tmp") == .success(victim))
        #expect(try POSIX.names(shared.path).get().filter { $0.hasSuffix(".tmp") } == ["state.json.tmp"])
    }

    @Test func twoServersCannotShareAStateFile() throws {
        let shared = try Shared()
        defer { shared.remove() }
        let state = shared.path + "/state.json"
        let first = try MountedTree.mount(options: ["--state", state])
        defer { first.unmount() }
        let second = try MountedTree.mount()
        defer { second.unmount() }
        try second.unmountCommand().expectSuccess()
        #expect(try second.mountCommand(options: ["--state", state]) == CommandResult(status: 1, output: """
            Error: \(state) is in use by another fakesysfs server (\(shared.path)/.state.json.lock is locked); \
            give each mount its own --state\n
            """))
    }

    /// Host `a`'s temporary used to be `FILE.a.tmp`, which is host `a.tmp`'s state file.
    @Test func aHostsTemporaryIsNeverAnotherHostsStateFile() throws {
        let shared = try Shared()
        defer { shared.remove() }
        let scenario = shared.path + "/s.yaml"
        let yaml = "hosts:\n" + ["a", "a.tmp"].map { "  - name: \($0)\n    devices: [{address: 0000:3b:00.0, driver: nvme-vf}]\n" }.joined()
        #expect(POSIX.writeFile(scenario, yaml) == .success(yaml.utf8.count))
        let state = shared.path + "/hn"
        let tree = try MountedTree.mount(scenario: scenario, options: ["--state", state])
        defer { tree.unmount() }
        #expect(POSIX.writeFile(tree.path("/a.tmp/bus/pci/devices/0000:3b:00.0/sriov_numvfs"), "5") == .success(1))
        #expect(POSIX.writeFile(tree.path("/a/bus/pci/devices/0000:3b:00.0/sriov_numvfs"), "1") == .success(1))
        #expect(try POSIX.readFile(state + ".a.tmp").get().contains("\"numVFs\" : 5"))
        #expect(try POSIX.readFile(state + ".a").get().contains("\"numVFs\" : 1"))
    }

    /// A trace on a full filesystem: records are dropped whole and counted, the log says so, and
    /// once space is back a `mark` record says how many are missing. `fakesysfs trace` reads every line.
    @Test(.enabled(if: geteuid() == 0 || FUSEAvailability.isCI, "needs root to mount a small tmpfs"))
    func aFullDiskDropsWholeTraceRecordsAndCountsThem() throws {
        let small = try Shared()
        defer { small.remove() }
        let mounted = try Command.run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", small.path])
        try #require(mounted.status == 0, "mount tmpfs: \(mounted)")
        defer { _ = try? Command.run(["/usr/bin/umount", small.path]) }
        let trace = small.path + "/trace.jsonl"
        let tree = try MountedTree.mount(options: ["--trace", trace])
        defer { tree.unmount() }
        let filler = small.path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0x61, count: 1000)
        while write(fd, block, block.count) > 0 {}
        close(fd)
        for _ in 0..<200 { _ = POSIX.readFile(tree.path("/bus/pci/devices/0000:00:02.0/vendor")) }
        #expect(eventually(within: 5) { tree.serverLog.contains("trace \(trace): No space left on device; dropping records") })
        unlink(filler)
        _ = POSIX.readFile(tree.path("/bus/pci/devices/0000:00:02.0/device"))
        #expect(eventually(within: 5) { tree.serverLog.contains("trace \(trace): writing again after dropping ") })
        let text = try POSIX.readFile(trace).get()
        #expect(text.hasSuffix("\n"))
        #expect(text.contains(" trace records dropped here (the file could not take them)\""))
        let result = try MountedTree.traceCommand(trace, "--op", "mark", "--count")
        #expect(result == CommandResult(status: 0, output: "1\n"))
        #expect(try MountedTree.traceCommand(trace, "--path", "*/device").status == 0)
    }
}

private extension CommandResult {
    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(status == 0, "\(self)", sourceLocation: sourceLocation)
    }
}
