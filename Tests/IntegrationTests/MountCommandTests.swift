import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs mount` and `unmount` as a user runs them, including after the server dies.
@Suite(.requiresFUSE) struct MountCommandTests {
    /// A missing mount point is made as `mkdir -p` would, and made directories
    /// are taken away again when the mount fails.
    @Test func missingMountpointIsCreated() throws {
        let parent = "/tmp/fakesysfs-test-missing-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let missing = parent + "/a/sys"
        defer {
            _ = try? Command.run([try MountedTree.binary(), "unmount", missing])
            rmdir(missing)
            rmdir(parent + "/a")
            rmdir(parent)
        }
        let log = "/tmp/fakesysfs-test-missing-\(getpid()).log"
        defer { unlink(log) }
        let result = try Command.run([try MountedTree.binary(), "mount", "--log", log, missing])
        #expect(result == CommandResult(status: 0, output: "serving the default host (1 host, 3 PCI functions, 0 mdevs) "
                                        + "at \(missing); log: \(log); stop with: fakesysfs unmount \(missing)\n"))
        #expect(POSIX.readFile(missing + "/bus/pci/devices/0000:00:02.0/vendor") == .success("0x8086\n"))
        #expect(try Command.run([try MountedTree.binary(), "unmount", missing]) == CommandResult(status: 0, output: ""))

        let scenario = try ScenarioFile("hosts: [")
        defer { scenario.remove() }
        let refused = try Command.run([try MountedTree.binary(), "mount", "--scenario", scenario.path, parent + "/b/sys"])
        #expect(refused.status == 2)
        #expect(POSIX.stat(parent + "/b").map { _ in 0 } == .failure(.noSuchFileOrDirectory))
    }

    @Test func nonEmptyDirectoryIsAOneLineError() throws {
        var template = Array("/tmp/fakesysfs-test.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
        let directory = String(cBuffer: template)
        let file = directory + "/occupied"
        defer {
            unlink(file)
            rmdir(directory)
        }
        #expect(POSIX.writeFile(file, "x") == .success(1))
        let result = try Command.run([try MountedTree.binary(), "mount", directory])
        #expect(result == CommandResult(status: 1, output: "Error: \(directory) is not empty: give an empty directory\n"))
    }

    @Test func mountingTwiceIsAOneLineErrorAndKeepsTheFirstMount() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let result = try tree.mountCommand()
        #expect(result == CommandResult(status: 1, output: "Error: \(tree.root) is already a mount point: unmount it first\n"))
        #expect(POSIX.readFile(tree.path(DefaultTree.gpu + "/vendor")) == .success("0x8086\n"))
    }

    @Test func unmountStopsTheServerAndRemovesTheMount() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let server = try #require(tree.serverPID)
        #expect(try tree.unmountCommand() == CommandResult(status: 0, output: ""))
        #expect(!tree.isMounted)
        #expect(eventually(within: 5) { !ProcessTable.isRunning(server) })
        #expect(try tree.unmountCommand() == CommandResult(status: 1, output: "Error: \(tree.root) is not mounted\n"))
    }

    /// libfuse's `auto_unmount` watchdog unmounts a killed server's tree, so the
    /// directory can be mounted again straight away.
    @Test func killedServerLeavesNoMountBehind() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        try tree.killServer()
        #expect(eventually(within: 30) { !tree.isMounted })
        #expect(try tree.mountCommand() == CommandResult(status: 0, output: tree.servingLine()))
        #expect(POSIX.readFile(tree.path(DefaultTree.gpu + "/vendor")) == .success("0x8086\n"))
    }

    /// Without the watchdog, a killed server leaves a dead mount (ENOTCONN):
    /// `mount` refuses it with advice, and `unmount` clears it.
    @Test func unmountClearsADeadMount() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let watchdog = try #require(tree.unmountWatchdogPID)
        #expect(kill(watchdog, SIGKILL) == 0)
        #expect(eventually(within: 5) { !ProcessTable.isRunning(watchdog) })
        try tree.killServer()
        #expect(eventually(within: 5) { POSIX.stat(tree.root).map { _ in 0 } == .failure(.socketNotConnected) })
        #expect(tree.isMounted)

        #expect(try tree.mountCommand() == CommandResult(
            status: 1, output: "Error: \(tree.root) is a dead FUSE mount: run `fakesysfs unmount \(tree.root)` first\n"))
        #expect(try tree.unmountCommand() == CommandResult(status: 0, output: ""))
        #expect(!tree.isMounted)
        #expect(try tree.mountCommand() == CommandResult(status: 0, output: tree.servingLine()))
        #expect(POSIX.readFile(tree.path(DefaultTree.gpu + "/vendor")) == .success("0x8086\n"))
    }
}
