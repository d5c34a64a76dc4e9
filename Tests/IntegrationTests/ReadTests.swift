import Testing
#if canImport(Glibc)
import Glibc
#endif

/// read(2) is `show()`: re-run at offset 0, served by offset otherwise.
@Suite(.requiresFUSE) struct ReadTests {
    @Test func readAtOffsetZeroRunsShowAgain() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let fd = try POSIX.open(tree.path(DefaultTree.gpu + "/numa_node"), O_RDWR).get()
        defer { _ = POSIX.close(fd) }
        #expect(POSIX.pread(fd, at: 0) == .success("0\n"))
        #expect(POSIX.write(fd, "1") == .success(1))
        #expect(POSIX.pread(fd, at: 0) == .success("1\n"))
        #expect(POSIX.pread(fd, at: 0) == .success("1\n"))

        #expect(POSIX.writeFile(tree.path(DefaultTree.gpu + "/numa_node"), "-1") == .success(2))
        #expect(POSIX.pread(fd, at: 0) == .success("-1\n"))
    }

    /// A memory BAR's `resourceN` opens (0600, root), but has no read op: `sysfs_kf_bin_read` answers EIO.
    @Test func readingAMemoryBARIsEIO() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let resource = tree.path(DefaultTree.gpu + "/resource0")
        #expect(POSIX.stat(resource).map(\.st_mode) == .success(UInt32(S_IFREG) | 0o600))
        #expect(POSIX.readFile(resource) == .failure(.ioError))
    }

    @Test func readingAtOrPastTheEndGivesNothing() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let fd = try POSIX.open(tree.path(DefaultTree.gpu + "/vendor"), O_RDONLY).get()
        defer { _ = POSIX.close(fd) }
        #expect(POSIX.pread(fd, at: 7) == .success(""))
        #expect(POSIX.pread(fd, at: 100) == .success(""))
        #expect(POSIX.pread(fd, at: 4096) == .success(""))
        #expect(POSIX.pread(fd, at: 0) == .success("0x8086\n"))
    }

    @Test func smallReadsContinueWhereTheLastOneStopped() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let fd = try POSIX.open(tree.path(DefaultTree.gpu + "/device"), O_RDONLY).get()
        defer { _ = POSIX.close(fd) }
        var pieces: [String] = []
        while case .success(let bytes) = POSIX.read(fd, count: 3), !bytes.isEmpty {
            pieces.append(String(decoding: bytes, as: UTF8.self))
        }
        #expect(pieces == ["0x5", "91d", "\n"])
    }

    @Test func ueventListsTheDriverAndThePCIKeys() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.readFile(tree.path(DefaultTree.gpu + "/uevent")) == .success("""
            DRIVER=i915
            PCI_CLASS=30000
            PCI_ID=8086:591D
            PCI_SUBSYS_ID=8086:2212
            PCI_SLOT_NAME=0000:00:02.0
            MODALIAS=pci:v00008086d0000591Dsv00008086sd00002212bc03sc00i00

            """))
    }

    @Test func configSpaceStartsWithTheIDs() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let fd = try POSIX.open(tree.path(DefaultTree.gpu + "/config"), O_RDONLY).get()
        defer { _ = POSIX.close(fd) }
        #expect(POSIX.read(fd, count: 4) == .success([0x86, 0x80, 0x1d, 0x59]))
    }
}
