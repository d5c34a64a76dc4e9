import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Users cannot add or remove names in sysfs; only the kernel (here, stores) can.
@Suite(.requiresFUSE) struct NamespaceTests {
    @Test func creatingAMissingFileIsEACCES() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let missing = tree.path(DefaultTree.gpu + "/no_such_attribute")
        #expect(POSIX.open(missing, O_WRONLY | O_CREAT | O_TRUNC) == .failure(.permissionDenied))
        #expect(POSIX.lstat(missing).map { _ in 0 } == .failure(.noSuchFileOrDirectory))
    }

    @Test func mkdirIsEPERM() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.mkdir(tree.path(DefaultTree.gpu + "/extra")) == .failure(.notPermitted))
        #expect(POSIX.mkdir(tree.path("/bus/pci/devices/0000:00:09.0")) == .failure(.notPermitted))
    }

    @Test func unlinkIsEPERM() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.unlink(tree.path(DefaultTree.gpu + "/vendor")) == .failure(.notPermitted))
        #expect(POSIX.unlink(tree.path(DefaultTree.gpu)) == .failure(.notPermitted))
        #expect(POSIX.readFile(tree.path(DefaultTree.gpu + "/vendor")) == .success("0x8086\n"))
    }
}
