import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs ctl` against a real mount: the change is visible at once, even
/// where the kernel had cached the name before it.
@Suite(.requiresFUSE) struct LiveControlTests {
    let pf = "/bus/pci/devices/0000:3b:00.0"

    @Test func addedVFIsVisibleAtOnceDespiteACachedMiss() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let vf = tree.path("/bus/pci/devices/0000:3b:00.1")
        #expect(POSIX.stat(vf).failure == .noSuchFileOrDirectory)
        let result = try tree.ctl("set-vfs", "0000:3b:00.0", "2")
        #expect(result.status == 0)
        #expect(result.output.contains("+ /devices/pci0000:00/0000:3b:00.1/\n"))
        #expect(result.output.contains("~ /devices/pci0000:00/0000:3b:00.0/sriov_numvfs: 0 -> 2\n"))
        #expect(result.output.hasSuffix("uevent change /devices/pci0000:00/0000:3b:00.0 (pci)\n"))
        #expect(try POSIX.stat(vf).get().st_mode & S_IFMT == S_IFDIR)
        #expect(POSIX.readFile(tree.path(pf + "/sriov_numvfs")) == .success("2\n"))
        #expect(POSIX.readlink(tree.path(pf + "/virtfn1")) == .success("../0000:3b:00.2"))
    }

    @Test func unpluggedDeviceIsGoneAtOnceDespiteACachedHit() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.readFile(tree.path(pf + "/vendor")) == .success("0x144d\n"))
        #expect(try tree.ctl("unplug", "0000:3b:00.0").status == 0)
        #expect(POSIX.stat(tree.path(pf)).failure == .noSuchFileOrDirectory)
        #expect(POSIX.stat(tree.path("/devices/pci0000:00/0000:3b:00.0/vendor")).failure == .noSuchFileOrDirectory)
        #expect(try POSIX.directoryEntries(tree.path("/bus/pci/devices")).get()["0000:3b:00.0"] == nil)
    }

    @Test func refusalsExitOneWithTheWritesErrno() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(try tree.ctl("set-vfs", "0000:3b:00.0", "1").status == 0)
        let refused = try tree.ctl("write", pf + "/sriov_numvfs", "2")
        #expect(refused == CommandResult(status: 1, output: "Error: write \(pf)/sriov_numvfs: EBUSY (Device or resource busy)\n"
                                         + "  kernel: 0000:3b:00.0: 1 VFs already enabled. Disable before enabling 2 VFs\n"))
        #expect(try tree.ctl("explode").status == 2)
    }

    @Test func theSocketIsPrivateAndGoesAwayWithTheMount() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let log = tree.serverLog
        let line = try #require(log.split(separator: "\n").first { $0.contains("control socket ") })
        let socket = String(try #require(line.split(separator: " ").last))
        let directory = String(socket[..<(socket.lastIndex(of: "/") ?? socket.endIndex)])
        #expect(try POSIX.lstat(socket).get().st_mode == S_IFSOCK | 0o600)
        #expect(try POSIX.lstat(directory).get().st_mode == S_IFDIR | 0o700)
        #expect(try tree.unmountCommand().status == 0)
        #expect(eventually(within: 5) { POSIX.lstat(socket).failure == .noSuchFileOrDirectory })
        let gone = try Command.run([try MountedTree.binary(), "ctl", tree.root, "status"])
        #expect(gone.status == 1)
        #expect(gone.output.contains("no control socket for \(tree.root)"))
    }

    @Test func hangupWithoutAScenarioKeepsServing() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let server = try #require(tree.serverPID)
        #expect(kill(server, SIGHUP) == 0)
        #expect(eventually(within: 5) { tree.serverLog.contains("reload: this mount has no scenario file") })
        #expect(POSIX.readFile(tree.path(pf + "/vendor")) == .success("0x144d\n"))
        #expect(tree.isMounted)
    }
}
