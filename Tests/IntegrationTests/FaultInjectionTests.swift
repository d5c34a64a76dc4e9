import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Faults added with `fakesysfs ctl` as clients meet them through the mount.
@Suite(.requiresFUSE) struct FaultInjectionTests {
    let pf = "/bus/pci/devices/0000:3b:00.0"

    @Test func onceThenBackToNormal() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let added = try tree.ctl("fault", "add", "path=*/sriov_totalvfs", "op=read", "errno=EAGAIN", "once=true")
        #expect(added == CommandResult(status: 0, output: "fault 1: read */sriov_totalvfs EAGAIN once\n"))
        #expect(POSIX.readFile(tree.path(pf + "/sriov_totalvfs")) == .failure(.resourceTemporarilyUnavailable))
        #expect(POSIX.readFile(tree.path(pf + "/sriov_totalvfs")) == .success("32\n"))
        #expect(try tree.ctl("fault", "list").output == "1\tcontrol\tmatched 2\tfired 1\tread */sriov_totalvfs EAGAIN once\n")
    }

    @Test func writeFaultComesFromWriteNotOpen() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        _ = try tree.ctl("fault", "add", "path=/sys/devices/*/sriov_numvfs", "op=write", "errno=ENODEV")
        let fd = try POSIX.open(tree.path(pf + "/sriov_numvfs"), O_WRONLY).get()
        defer { _ = POSIX.close(fd) }
        #expect(POSIX.write(fd, "1") == .failure(.noDevice))
        #expect(try POSIX.directoryEntries(tree.path(pf)).get()["virtfn0"] == nil)
    }

    @Test func vanishedDeviceIsListedButCannotBeOpened() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.readFile(tree.path(pf + "/vendor")) == .success("0x144d\n"))
        _ = try tree.ctl("fault", "add", "path=*/0000:3b:00.0", "vanish=true")
        #expect(try POSIX.directoryEntries(tree.path("/bus/pci/devices")).get()["0000:3b:00.0"] == Int32(DT_LNK))
        #expect(POSIX.readFile(tree.path(pf + "/vendor")) == .failure(.noSuchFileOrDirectory))
        #expect(POSIX.open(tree.path("/devices/pci0000:00/0000:3b:00.0/device"), O_RDONLY) == .failure(.noSuchFileOrDirectory))
        _ = try tree.ctl("fault", "clear")
        #expect(POSIX.readFile(tree.path(pf + "/vendor")) == .success("0x144d\n"))
    }

    /// A path the kernel holds meets a new fault at once: adding it drops what
    /// the kernel cached, and while it is in force nothing is cached.
    @Test func faultOnACachedPathFiresAtOnce() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let vendor = tree.path("/devices/pci0000:00/0000:3b:00.0/vendor")
        #expect(POSIX.stat(vendor).map(\.st_size) == .success(4096))
        _ = try tree.ctl("fault", "add", "path=*/0000:3b:00.0/vendor", "op=getattr", "errno=EIO")
        #expect(POSIX.stat(vendor).map(\.st_size) == .failure(.ioError))
        #expect(POSIX.stat(vendor).map(\.st_size) == .failure(.ioError))
        _ = try tree.ctl("fault", "clear")
        #expect(POSIX.stat(vendor).map(\.st_size) == .success(4096))
    }

    @Test func readdirFault() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        // Listed once first, so the kernel holds a listing the fault must not hide behind.
        #expect(POSIX.names(tree.path("/bus/pci/devices")) == .success(DefaultTree.deviceNames))
        _ = try tree.ctl("fault", "add", "path=/bus/pci/devices", "op=readdir", "errno=EIO")
        #expect(POSIX.directoryEntries(tree.path("/bus/pci/devices")) == .failure(.ioError))
    }

    @Test func delayThenSuccess() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        _ = try tree.ctl("fault", "add", "path=*/0000:3b:00.0/vendor", "op=read", "delay=300ms")
        var before = timespec(), after = timespec()
        clock_gettime(CLOCK_MONOTONIC, &before)
        #expect(POSIX.readFile(tree.path(pf + "/vendor")) == .success("0x144d\n"))
        clock_gettime(CLOCK_MONOTONIC, &after)
        let elapsed = Double(after.tv_sec - before.tv_sec) + Double(after.tv_nsec - before.tv_nsec) / 1e9
        #expect(elapsed >= 0.3)
    }
}
