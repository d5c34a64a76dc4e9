import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What stat(2), readdir(3) and readlink(2) report, as kernfs reports it.
@Suite(.requiresFUSE) struct FileMetadataTests {
    @Test func textAttributesArePageSizedAndBinaryConfigHasItsOwnSize() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        for name in ["vendor", "uevent", "reset", "enable", "driver_override"] {
            let info = try POSIX.stat(tree.path(DefaultTree.gpu + "/" + name)).get()
            #expect(info.st_size == 4096, "\(name)")
            #expect(info.st_mode & S_IFMT == S_IFREG, "\(name)")
        }
        #expect(try POSIX.stat(tree.path(DefaultTree.gpu + "/config")).get().st_size == 4096)
    }

    @Test func directoriesAndSymlinksHaveSizeZero() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(try POSIX.lstat(tree.path(DefaultTree.gpuDirectory)).get().st_size == 0)
        #expect(try POSIX.lstat(tree.path("/bus/pci/devices")).get().st_size == 0)
        #expect(try POSIX.lstat(tree.path(DefaultTree.gpu)).get().st_size == 0)
        #expect(try POSIX.lstat(tree.path(DefaultTree.gpuDirectory + "/driver")).get().st_size == 0)
    }

    @Test func modesFollowTheKernel() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let expected: [(String, mode_t)] = [
            ("vendor", S_IFREG | 0o444), ("uevent", S_IFREG | 0o644), ("reset", S_IFREG | 0o200),
            ("config", S_IFREG | 0o644), ("driver", S_IFLNK | 0o777), ("subsystem", S_IFLNK | 0o777),
            ("iommu_group", S_IFLNK | 0o777),
        ]
        for (name, mode) in expected {
            let info = try POSIX.lstat(tree.path(DefaultTree.gpuDirectory + "/" + name)).get()
            #expect(info.st_mode == mode, "\(name): \(String(info.st_mode, radix: 8))")
            #expect(info.st_uid == 0 && info.st_gid == 0, "\(name)")
        }
    }

    @Test func directoriesAre0755() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        for directory in ["/", "/bus", "/bus/pci", "/bus/pci/devices", "/devices/pci0000:00", DefaultTree.gpuDirectory] {
            #expect(try POSIX.lstat(tree.path(directory)).get().st_mode == S_IFDIR | 0o755, "\(directory)")
        }
    }

    @Test func readdirReportsEntryTypes() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let busDevices = try POSIX.directoryEntries(tree.path("/bus/pci/devices")).get()
        #expect(busDevices == [".": Int32(DT_DIR), "..": Int32(DT_DIR), "0000:00:02.0": Int32(DT_LNK),
                               "0000:3b:00.0": Int32(DT_LNK), "0000:f3:00.0": Int32(DT_LNK)])

        let device = try POSIX.directoryEntries(tree.path(DefaultTree.gpuDirectory)).get()
        #expect(device["vendor"] == Int32(DT_REG))
        #expect(device["config"] == Int32(DT_REG))
        #expect(device["driver"] == Int32(DT_LNK))
        #expect(device["subsystem"] == Int32(DT_LNK))

        let rootBus = try POSIX.directoryEntries(tree.path("/devices/pci0000:00")).get()
        for name in DefaultTree.deviceNames {
            #expect(rootBus[name] == Int32(DT_DIR), "\(name)")
        }
    }

    @Test func busDevicesAreRelativeLinksIntoDevices() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        for name in DefaultTree.deviceNames {
            let link = tree.path("/bus/pci/devices/" + name)
            #expect(POSIX.readlink(link) == .success("../../../devices/pci0000:00/" + name))
            #expect(try POSIX.stat(link).get().st_mode & S_IFMT == S_IFDIR)
        }
        #expect(POSIX.readFile(tree.path(DefaultTree.gpu + "/vendor")) == .success("0x8086\n"))
        #expect(POSIX.readlink(tree.path(DefaultTree.gpuDirectory + "/driver")) == .success("../../../bus/pci/drivers/i915"))
        #expect(POSIX.readlink(tree.path(DefaultTree.gpuDirectory + "/subsystem")) == .success("../../../bus/pci"))
    }

    /// kernfs fixes the times when the inode is made; reads and writes leave them alone.
    @Test func timestampsStayPutAcrossReadsWritesAndCacheExpiry() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let numaNode = tree.path(DefaultTree.gpu + "/numa_node")
        let before = try POSIX.stat(numaNode).get()
        #expect(POSIX.readFile(numaNode) == .success("0\n"))
        #expect(POSIX.writeFile(numaNode, "1") == .success(1))
        usleep(1_200_000)  // past the 1 s attribute cache, so the next stat asks the server
        let after = try POSIX.stat(numaNode).get()
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        #expect(after.st_atim.tv_sec == before.st_atim.tv_sec && after.st_atim.tv_nsec == before.st_atim.tv_nsec)
        #expect(after.st_ctim.tv_sec == before.st_ctim.tv_sec && after.st_ctim.tv_nsec == before.st_ctim.tv_nsec)
        #expect(after.st_ino == before.st_ino)
    }

    /// The kernel may keep listings (FOPEN_CACHE_DIR); an entry added or
    /// removed drops them at once and moves the directory's times on.
    @Test func cachedListingsFollowCreateAndRemoveAtOnce() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let type = DefaultTree.gpuDirectory + "/mdev_supported_types/i915-GVTg_V5_4"
        let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
        let listings = [type + "/devices", "/bus/mdev/devices", DefaultTree.gpuDirectory]
        func lists(_ name: String) -> [Bool] {
            listings.map { (try? POSIX.names(tree.path($0)).get())?.contains(name) ?? false }
        }
        let mdev = tree.path(DefaultTree.gpuDirectory + "/" + uuid)
        #expect(lists(uuid) == [false, false, false])
        #expect(lists(uuid) == [false, false, false])
        #expect(POSIX.stat(mdev).map(\.st_ino) == .failure(.noSuchFileOrDirectory))
        let before = try POSIX.stat(tree.path(DefaultTree.gpuDirectory)).get()

        #expect(POSIX.writeFile(tree.path(type + "/create"), uuid) == .success(36))
        #expect(lists(uuid) == [true, true, true])
        #expect(POSIX.stat(mdev).map { $0.st_mode & S_IFMT } == .success(S_IFDIR))
        let after = try POSIX.stat(tree.path(DefaultTree.gpuDirectory)).get()
        #expect((after.st_mtim.tv_sec, after.st_mtim.tv_nsec) > (before.st_mtim.tv_sec, before.st_mtim.tv_nsec))
        #expect(after.st_ctim.tv_sec == after.st_mtim.tv_sec && after.st_ctim.tv_nsec == after.st_mtim.tv_nsec)
        #expect(after.st_atim.tv_sec == before.st_atim.tv_sec && after.st_atim.tv_nsec == before.st_atim.tv_nsec)

        #expect(POSIX.writeFile(tree.path(DefaultTree.gpuDirectory + "/" + uuid + "/remove"), "1") == .success(1))
        #expect(lists(uuid) == [false, false, false])
        #expect(POSIX.stat(mdev).map(\.st_ino) == .failure(.noSuchFileOrDirectory))
        #expect(POSIX.stat(tree.path("/bus/mdev/devices/" + uuid)).map(\.st_ino) == .failure(.noSuchFileOrDirectory))
    }

    /// Names and attributes stay with the kernel past a second, as sysfs
    /// dentries do: the server drops them itself when the tree changes.
    @Test func namesStayCachedUntilTheTreeChanges() throws {
        let trace = TraceFile()
        defer { trace.remove() }
        let tree = try MountedTree.mount(options: ["--trace", trace.path, "--trace-lookups"])
        defer { tree.unmount() }
        let vendor = DefaultTree.gpuDirectory + "/vendor"
        #expect(POSIX.stat(tree.path(vendor)).map(\.st_size) == .success(4096))
        usleep(1_500_000)
        #expect(POSIX.stat(tree.path(vendor)).map(\.st_size) == .success(4096))
        #expect(trace.entries.filter { $0.operation == "lookup" && $0.path == vendor }.count == 1)
        #expect(trace.entries.filter { $0.operation == "getattr" && $0.path == vendor }.isEmpty)
    }
}
