import Testing
#if canImport(Glibc)
import Glibc
#endif

/// open(2) and truncate(2) as sysfs answers them, even for root.
@Suite(.requiresFUSE) struct OpenPermissionTests {
    @Test func writingAReadOnlyAttributeIsEACCESEvenForRoot() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let vendor = tree.path(DefaultTree.gpu + "/vendor")
        #expect(POSIX.open(vendor, O_WRONLY) == .failure(.permissionDenied))
        #expect(POSIX.open(vendor, O_RDWR) == .failure(.permissionDenied))
        #expect(POSIX.writeFile(vendor, "0x1234\n") == .failure(.permissionDenied))
        #expect(POSIX.readFile(vendor) == .success("0x8086\n"))
    }

    @Test func readingAWriteOnlyAttributeIsEACCES() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.open(tree.path(DefaultTree.gpu + "/reset"), O_RDONLY) == .failure(.permissionDenied))
        #expect(POSIX.open(tree.path(DefaultTree.gpu + "/reset"), O_RDWR) == .failure(.permissionDenied))
    }

    /// The shell's `>` opens with O_CREAT|O_TRUNC; on an existing attribute both are no-ops.
    @Test func shellRedirectionOpensAnExistingAttribute() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let numaNode = tree.path(DefaultTree.gpu + "/numa_node")
        let fd = try POSIX.open(numaNode, O_WRONLY | O_CREAT | O_TRUNC).get()
        #expect(POSIX.write(fd, "1\n") == .success(2))
        #expect(POSIX.close(fd) == .success(0))
        #expect(POSIX.readFile(numaNode) == .success("1\n"))
    }

    @Test func truncateToZeroSucceedsAndChangesNothing() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let enable = tree.path(DefaultTree.gpu + "/enable")
        #expect(POSIX.truncate(enable, to: 0) == .success(0))
        #expect(POSIX.readFile(enable) == .success("1\n"))
        #expect(try POSIX.stat(enable).get().st_size == 4096)
    }
}
