import DriverCatalog
import Support
import Synchronization
import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

/// `mount --state`: what the host reports after each change, and how it comes back.
@Suite struct PersistentStateTests {
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
    let other = "0b2d5c6e-1f0a-4d3b-9c8e-7a6b5c4d3e2f"
    let parent = "/devices/pci0000:00/0000:00:02.0"
    let pf = "/devices/pci0000:00/0000:3b:00.0"

    @Test func everySuccessfulChangeReportsTheNewState() {
        let test = Testbed.pool()
        let reports = Mutex<[PersistentState]>([])
        test.host.observeState { state in reports.withLock { $0.append(state) } }
        test.write(parent + "/mdev_supported_types/pool-small/create", uuid)
        test.write(parent + "/mdev_supported_types/pool-small/create", "not-a-uuid")
        test.write(pf + "/sriov_drivers_autoprobe", "0")
        test.write(pf + "/sriov_numvfs", "2")
        test.write(pf + "/sriov_numvfs", "3")
        test.write("/bus/mdev/devices/\(uuid)/remove", "1")
        let seen = reports.withLock { $0 }
        #expect(seen.map(\.mdevs.count) == [1, 1, 1, 0])
        #expect(seen.map { $0.physicalFunctions.first?.numVFs } == [0, 0, 2, 2])
        #expect(seen.map { $0.physicalFunctions.first?.driversAutoprobe } == [true, false, false, false])
        #expect(seen.first?.mdevs == [.init(uuid: uuid, parent: "0000:00:02.0", type: "pool-small")])
    }

    @Test func restoreRebuildsTheSameTreeThroughTheStores() {
        let original = Testbed.pool()
        original.write(pf + "/sriov_drivers_autoprobe", "n")
        original.write(pf + "/sriov_numvfs", "3")
        original.write(parent + "/mdev_supported_types/pool-large/create", uuid)
        original.write(pf + "/mdev_supported_types/nvme-small/create", other)
        let state = original.host.persistentState()

        let restored = Testbed.pool()
        #expect(restored.host.restore(state) == [])
        #expect(restored.host.persistentState() == state)
        for path in ["/bus/mdev/devices", "/bus/pci/devices", "/kernel/iommu_groups", pf, parent + "/mdev_supported_types/pool-large/devices"] {
            #expect(restored.names(path) == original.names(path), "\(path)")
        }
        #expect(restored.read(pf + "/sriov_drivers_autoprobe") == .success("0\n"))
        #expect(restored.node("/devices/pci0000:00/0000:3b:00.1/driver") == nil)
        #expect(restored.read(parent + "/mdev_supported_types/pool-small/available_instances") == .success("1\n"))
        // Each restored mdev: add, then bind.
        #expect(restored.uevents.all.filter { $0.subsystem == "mdev" }.map(\.action) == [.add, .bind, .add, .bind])
    }

    @Test func whatCannotComeBackIsReported() {
        let test = Testbed.pool(PoolDriver(capacity: 1))
        var state = PersistentState(
            physicalFunctions: [.init(address: "0000:99:00.0", numVFs: 1, driversAutoprobe: true)],
            mdevs: [.init(uuid: uuid, parent: "0000:00:02.0", type: "pool-huge"),
                    .init(uuid: other, parent: "0000:00:02.0", type: "pool-large")])
        let problems = test.host.restore(state)
        #expect(problems.count == 3)
        #expect(problems[0].contains("0000:99:00.0"))
        #expect(problems[1].contains("pool-huge"))
        #expect(problems[2].contains("No space left"))
        state.version = 2
        #expect(test.host.restore(state) == ["state version 2, this fakesysfs keeps version 1"])
    }

    @Test func driverSettingsTravelWithTheState() throws {
        let pool = PoolDriver(capacity: 4), freshPool = PoolDriver(capacity: 4)
        let test = Testbed.pool(pool)
        pool.settings = ["profile": "fast"]
        let state = test.host.persistentState()
        #expect(state.driverSettings.map(\.address) == ["0000:00:02.0", "0000:3b:00.0"])
        let fresh = Testbed.pool(freshPool)
        #expect(fresh.host.restore(state) == [])
        #expect(freshPool.restored == [["profile": "fast"], ["profile": "fast"]])
    }
}

/// The default host's drivers keep what users change at run time.
@Suite struct DriverPersistentStateTests {
    let nvme = "/bus/pci/devices/0000:3b:00.0"
    let qat = "/bus/pci/devices/0000:f3:00.0"
    let url = "nvme+tcp://10.0.0.9:4420/nqn.2014-08.org.example:restored"

    @Test func remoteURLAndQATServicesComeBack() throws {
        let original = try Testbed.defaultHost()
        let reports = Locked(0)
        original.host.observeState { _ in reports.withLock { $0 += 1 } }
        _ = try original.write(nvme + "/sriov_numvfs", "2").get()
        _ = try original.write("/bus/pci/devices/0000:3b:00.2/remote_url", url).get()
        _ = try original.write(qat + "/qat/state", "down").get()
        _ = try original.write(qat + "/qat/cfg_services", "dc").get()
        _ = try original.write(qat + "/qat/state", "up").get()
        _ = try original.write(qat + "/sriov_numvfs", "1").get()
        #expect(reports.withLock { $0 } == 6)
        let state = original.host.persistentState()
        #expect(state.driverSettings.contains(.init(address: "0000:3b:00.2", settings: ["remote_url": url])))
        #expect(state.driverSettings.contains(.init(address: "0000:f3:00.0", settings: ["state": "up", "cfg_services": "dc"])))

        let restored = try Testbed.defaultHost()
        #expect(restored.host.restore(state) == [])
        #expect(restored.read("/bus/pci/devices/0000:3b:00.2/remote_url") == .success(url + "\n"))
        #expect(try restored.read("/bus/pci/devices/0000:3b:00.1/remote_url").get()
                == original.read("/bus/pci/devices/0000:3b:00.1/remote_url").get())
        #expect(restored.read(qat + "/qat/cfg_services") == .success("dc\n"))
        #expect(restored.read(qat + "/qat/state") == .success("up\n"))
        #expect(try restored.read(qat + "/migration_version").get() == original.read(qat + "/migration_version").get())
        #expect(restored.host.persistentState() == state)
    }

    @Test func aBadSavedSettingIsReported() throws {
        let host = try DriverCatalog.defaultHost()
        let state = PersistentState(driverSettings: [.init(address: "0000:f3:00.0", settings: ["cfg_services": "everything"])])
        #expect(host.restore(state) == ["0000:f3:00.0 settings [\"cfg_services\": \"everything\"]: Invalid argument"])
    }
}
