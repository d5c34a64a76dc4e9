import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

@Suite struct MdevLifecycleTests {
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
    let parent = "/devices/pci0000:00/0000:00:02.0"
    var smallType: String { parent + "/mdev_supported_types/pool-small" }

    @Test func parentRegistersTypesAndClassLink() {
        let test = Testbed.pool()
        #expect(test.names("/class/mdev_bus") == ["0000:00:02.0", "0000:3b:00.0"])
        #expect(test.link("/class/mdev_bus/0000:00:02.0") == "../../devices/pci0000:00/0000:00:02.0")
        #expect(test.names(parent + "/mdev_supported_types") == ["pool-large", "pool-small"])
        #expect(test.names(smallType) == ["available_instances", "create", "description", "device_api",
                                          "devices", "name"])
        #expect(test.read(smallType + "/available_instances") == .success("4\n"))
        #expect(test.read(smallType + "/device_api") == .success("vfio-pci\n"))
        #expect(test.read(smallType + "/name") == .success("small\n"))
        #expect(test.read(smallType + "/description") == .success("one unit\n"))
        #expect((test.node(smallType + "/create") as? Attribute)?.mode == 0o200)
    }

    @Test func createBuildsEveryPathBeforeReturning() throws {
        let test = Testbed.pool()
        #expect(test.write(smallType + "/create", uuid) == .success(36))
        let device = parent + "/" + uuid
        #expect(test.link(device + "/mdev_type") == "../mdev_supported_types/pool-small")
        #expect(test.link(device + "/subsystem") == "../../../../bus/mdev")
        #expect(test.link(device + "/driver") == "../../../../bus/mdev/drivers/pool_mdev")
        #expect(test.link("/bus/mdev/devices/" + uuid) == "../../.." + device)
        #expect(test.link(smallType + "/devices/" + uuid) == "../../../" + uuid)
        #expect(test.link("/bus/mdev/drivers/pool_mdev/" + uuid) == "../../../.." + device)
        // The mdev bus adds no keys of its own: no MDEV_TYPE, as no kernel emits one.
        #expect(test.read(device + "/uevent") == .success("DRIVER=pool_mdev\n"))
        let group = try #require(test.link(device + "/iommu_group")).split(separator: "/").last.map(String.init)
        #expect(test.names("/kernel/iommu_groups/\(group ?? "")/devices") == [uuid])
        #expect(test.read("/bus/mdev/devices/\(uuid)/mdev_type/available_instances") == .success("3\n"))
        #expect(test.read(parent + "/mdev_supported_types/pool-large/available_instances") == .success("1\n"))
        // `mdev_device_create`: device_add, then the driver's bind (with DRIVER=).
        #expect(test.uevents.all.suffix(2) == [
            UEvent(action: .add, devpath: device, subsystem: "mdev"),
            UEvent(action: .bind, devpath: device, subsystem: "mdev", properties: [("DRIVER", "pool_mdev")]),
        ])
    }

    @Test(arguments: [
        ("", Errno.invalidArgument),
        ("83b8f4f2-509f-382f-3c1e-e6bfe0fa100", .invalidArgument),
        ("83b8f4f2-509f-382f-3c1e-e6bfe0fa10011\n", .invalidArgument),
        ("83b8f4f2x509f-382f-3c1e-e6bfe0fa1001", .invalidArgument),
        ("g3b8f4f2-509f-382f-3c1e-e6bfe0fa1001", .invalidArgument),
        (" 83b8f4f2-509f-382f-3c1e-e6bfe0fa100", .invalidArgument),
    ])
    func createRefusesMalformedUUIDs(text: String, errno: Errno) {
        let test = Testbed.pool()
        #expect(test.write(smallType + "/create", text) == (text.isEmpty ? .success(0) : .failure(errno)))
        #expect(test.names("/bus/mdev/devices") == [])
        #expect(test.read(smallType + "/available_instances") == .success("4\n"))
    }

    @Test func thirtySeventhByteIsNotChecked() {
        let test = Testbed.pool()
        #expect(test.write(smallType + "/create", uuid + "x") == .success(37))
        #expect(test.names("/bus/mdev/devices") == [uuid])
    }

    @Test func duplicateAnywhereIsEEXISTCaseInsensitive() {
        let test = Testbed.pool()
        test.write(smallType + "/create", uuid + "\n")
        let large = parent + "/mdev_supported_types/pool-large/create"
        #expect(test.write(large, uuid.uppercased()) == .failure(.fileExists))
        #expect(test.write("/devices/pci0000:00/0000:3b:00.0/mdev_supported_types/nvme-small/create", uuid)
                == .failure(.fileExists))
        #expect(test.read(smallType + "/available_instances") == .success("3\n"))
    }

    @Test func noCapacityGivesTheDriversErrno() {
        let test = Testbed.pool(PoolDriver(capacity: 1))
        let large = parent + "/mdev_supported_types/pool-large"
        #expect(test.read(large + "/available_instances") == .success("0\n"))
        #expect(test.write(large + "/create", uuid) == .failure(.noSpace))
        #expect(test.names("/bus/mdev/devices") == [])
        #expect(test.names("/kernel/iommu_groups").count == 2)
    }

    @Test func removeUndoesEverything() {
        let test = Testbed.pool()
        let groupsBefore = test.names("/kernel/iommu_groups")
        test.write(smallType + "/create", uuid)
        #expect(test.write("/bus/mdev/devices/\(uuid)/remove", "0") == .success(1))
        #expect(test.names("/bus/mdev/devices") == [uuid])
        #expect(test.write("/bus/mdev/devices/\(uuid)/remove", "1") == .success(1))
        #expect(test.names("/bus/mdev/devices") == [])
        #expect(test.names(smallType + "/devices") == [])
        #expect(test.node(parent + "/" + uuid) == nil)
        #expect(test.names("/kernel/iommu_groups") == groupsBefore)
        #expect(test.read(smallType + "/available_instances") == .success("4\n"))
        #expect(test.uevents.all.last?.action == .remove)
    }

    @Test(arguments: ["", "x", "-1", "1 ", "0x", "99999999999999999999"])
    func removeParsesLikeKstrtoul(text: String) {
        let test = Testbed.pool()
        test.write(smallType + "/create", uuid)
        // remove_store folds every kstrtoul error, overflow included, into EINVAL.
        let expected: Result<Int, Errno> = text.isEmpty ? .success(0) : .failure(.invalidArgument)
        #expect(test.write("/bus/mdev/devices/\(uuid)/remove", text) == expected)
        #expect(test.names("/bus/mdev/devices") == [uuid])
    }

    @Test func driverMayRefuseRemoval() {
        let pool = PoolDriver(capacity: 4)
        let test = Testbed.pool(pool)
        test.write(smallType + "/create", uuid)
        pool.refuseRemoval = true
        #expect(test.write("/bus/mdev/devices/\(uuid)/remove", "1") == .failure(.resourceBusy))
        #expect(test.names("/bus/mdev/devices") == [uuid])
    }

    @Test func openRemoveFileOfGoneDeviceIsENODEV() {
        let test = Testbed.pool()
        test.write(smallType + "/create", uuid)
        let remove = test.node("/bus/mdev/devices/\(uuid)/remove")
        test.write("/bus/mdev/devices/\(uuid)/remove", "1")
        #expect(remove?.isRemoved == true)
    }
}

/// A removed mdev must not stay alive through its own directory (server memory would grow with churn).
@Suite struct MdevLifetimeTests {
    @Test func removedMdevIsReleased() throws {
        let test = Testbed.pool()
        let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
        test.write("/devices/pci0000:00/0000:00:02.0/mdev_supported_types/pool-small/create", uuid)
        weak let mdev = test.host.mdevs.first
        weak let directory = mdev?.directory
        #expect(mdev != nil && directory != nil)
        #expect(test.write("/bus/mdev/devices/\(uuid)/remove", "1") == .success(1))
        #expect(mdev == nil)
        #expect(directory == nil)
    }
}
