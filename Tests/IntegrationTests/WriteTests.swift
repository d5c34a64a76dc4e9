import Testing
#if canImport(Glibc)
import Glibc
#endif

/// write(2) is `store()`: one call per write, capped at PAGE_SIZE, its error the write's error.
@Suite(.requiresFUSE) struct WriteTests {
    /// `enable` counts every store once its driver has let the device go.
    @Test func oneWriteIsOneStore() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.writeFile(tree.path("/bus/pci/drivers/nvme/unbind"), "0000:3b:00.0") == .success(12))
        let enable = tree.path(DefaultTree.nvme + "/enable")
        #expect(POSIX.readFile(enable) == .success("0\n"))
        #expect(POSIX.writeFile(enable, "1") == .success(1))
        #expect(POSIX.readFile(enable) == .success("1\n"))
        #expect(POSIX.writeFile(enable, "1\n") == .success(2))
        #expect(POSIX.readFile(enable) == .success("2\n"))
    }

    @Test func zeroLengthWriteReturnsZeroAndStoresNothing() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let enable = tree.path(DefaultTree.gpu + "/enable")
        let fd = try POSIX.open(enable, O_WRONLY).get()
        #expect(POSIX.write(fd, [UInt8]()) == .success(0))
        #expect(POSIX.close(fd) == .success(0))
        #expect(POSIX.readFile(enable) == .success("1\n"))
    }

    /// The store's errno comes back from write(2) itself; close(2) then succeeds.
    @Test func storeErrorIsTheWritesError() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let fd = try POSIX.open(tree.path(DefaultTree.gpu + "/reset"), O_WRONLY).get()
        #expect(POSIX.write(fd, "foo\n") == .failure(.invalidArgument))
        #expect(POSIX.write(fd, "1\n") == .success(2))
        #expect(POSIX.close(fd) == .success(0))
    }

    /// `enable_store`: EBUSY while a driver is bound; writing 0 to a device
    /// that is not enabled is EIO.
    @Test func disablingBelowZeroIsEIO() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let enable = tree.path(DefaultTree.nvme + "/enable")
        #expect(POSIX.writeFile(enable, "0") == .failure(.resourceBusy))
        #expect(POSIX.writeFile(tree.path("/bus/pci/drivers/nvme/unbind"), "0000:3b:00.0") == .success(12))
        #expect(POSIX.writeFile(enable, "1") == .success(1))
        #expect(POSIX.writeFile(enable, "0") == .success(1))
        #expect(POSIX.readFile(enable) == .success("0\n"))
        #expect(POSIX.writeFile(enable, "0") == .failure(.ioError))
        #expect(POSIX.readFile(enable) == .success("0\n"))
    }

    /// `driver_set_override` refuses PAGE_SIZE - 1 bytes or more; a longer write
    /// is cut to 4096 bytes first, which is still too long.
    @Test func driverOverrideLengthLimit() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let override = tree.path(DefaultTree.gpu + "/driver_override")
        let letters = { (count: Int) in [UInt8](repeating: UInt8(ascii: "a"), count: count) }
        #expect(POSIX.writeFile(override, letters(5000)) == .failure(.invalidArgument))
        #expect(POSIX.writeFile(override, letters(4095)) == .failure(.invalidArgument))
        #expect(POSIX.readFile(override) == .success("(null)\n"))
        #expect(POSIX.writeFile(override, letters(4094)) == .success(4094))
        #expect(POSIX.readFile(override) == .success(String(repeating: "a", count: 4094) + "\n"))
        #expect(POSIX.writeFile(override, "vfio-pci\n") == .success(9))
        #expect(POSIX.readFile(override) == .success("vfio-pci\n"))
    }

    /// A write longer than a page is cut to 4096 bytes: the store sees "0" and
    /// NULs (parsing stops at the first NUL) and write(2) returns 4096.
    @Test func longWriteIsCutToOnePage() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let numaNode = tree.path("/bus/pci/devices/0000:3b:00.0/numa_node")
        let bytes = [UInt8(ascii: "-"), UInt8(ascii: "1")] + [UInt8](repeating: 0, count: 4998)
        #expect(POSIX.writeFile(numaNode, bytes) == .success(4096))
        #expect(POSIX.readFile(numaNode) == .success("-1\n"))
    }
}
