@testable import Scenario
import SystemPackage
import SysfsTree
import Testbed
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import KernelCore

/// Builds a scenario from text with the test drivers.
func loadScenario(_ yaml: String) throws(ScenarioError) -> Scenario {
    try Scenario.load(yaml: yaml, file: "s.yaml", drivers: TestDrivers.lookup, driverNames: TestDrivers.names)
}

@Suite struct ScenarioLoaderTests {
    @Test func oneHostIsTheMountRoot() throws {
        let scenario = try loadScenario("""
            hosts:
              - name: solo
                devices:
                  - address: 0000:00:02.0
                    driver: test-gpu
            """)
        #expect(scenario.hosts.map(\.name) == ["solo"])
        #expect(scenario.hosts[0].root === scenario.root)
        let bed = Testbed(host: scenario.hosts[0].host)
        #expect(bed.host.root === scenario.root)
        #expect(bed.names("/bus/pci/devices") == ["0000:00:02.0"])
        #expect(bed.read("/bus/pci/devices/0000:00:02.0/vendor") == .success("0x8086\n"))
    }

    @Test func severalHostsEachHaveTheirOwnSys() throws {
        let scenario = try loadScenario("""
            hosts:
              - name: source
                cpus: 4
                flavours: [migration_version]
                devices:
                  - address: 0000:00:02.0
                    driver: test-gpu
                    settings: {capacity: 8}
                    mdevs:
                      - {type: pool-large, uuid: 8F5A1C3E-0000-4000-8000-000000000001}
                      - {type: pool-small, count: 2}
                  - address: 0000:3b:00.0
                    driver: test-pf
                    vfs: 2
              - name: target
                devices:
                  - address: 0000:3b:00.0
                    driver: test-pf
            """)
        #expect(scenario.hosts.map(\.name) == ["source", "target"])
        #expect(scenario.root.list().map(\.name).sorted() == ["source", "target"])
        let source = Testbed(host: scenario.hosts[0].host), target = Testbed(host: scenario.hosts[1].host)
        #expect(source.host.root === scenario.root.child("source"))
        #expect(target.host.root === scenario.root.child("target"))
        #expect(scenario.hosts[0].host.cpuCount == 4)
        #expect(source.read("/devices/pci0000:00/0000:00:02.0/local_cpulist") == .success("0-3\n"))
        #expect(source.read("/devices/pci0000:00/0000:00:02.0/flavours") == .success("migration_version\n"))
        #expect(target.read("/devices/pci0000:00/0000:3b:00.0/flavours") == .success("compatible json migration_version\n"))
        #expect(source.names("/bus/pci/devices") == ["0000:00:02.0", "0000:3b:00.0", "0000:3b:00.1", "0000:3b:00.2"])
        #expect(source.read("/bus/pci/devices/0000:3b:00.0/sriov_numvfs") == .success("2\n"))
        #expect(source.link("/bus/pci/devices/0000:3b:00.0") == "../../../devices/pci0000:00/0000:3b:00.0")
        #expect(target.names("/bus/pci/devices") == ["0000:3b:00.0"])

        let mdevs = scenario.hosts[0].host.mdevs
        #expect(mdevs.count == 3)
        #expect(mdevs.contains { $0.uuid.description == "8f5a1c3e-0000-4000-8000-000000000001" && $0.typeID == "pool-large" })
        #expect(source.read("/bus/pci/devices/0000:00:02.0/mdev_supported_types/pool-small/available_instances") == .success("4\n"))
        #expect(source.names("/bus/mdev/devices").count == 3)
        #expect(scenario.summary == "2 hosts, 5 PCI functions, 3 mdevs")
    }

    @Test func countsExpandHostsAndDevices() throws {
        let yaml = """
            hosts:
              - name: node-
                count: 12
                devices:
                  - driver: test-gpu
                    first: 0000:3b:00.0
                    count: 10
                    stride: 8
                    mdevs: [{type: pool-small}]
            """
        let scenario = try loadScenario(yaml)
        #expect(scenario.hosts.count == 12)
        #expect(scenario.hosts.first?.name == "node-00")
        #expect(scenario.hosts.last?.name == "node-11")
        let addresses = scenario.hosts[3].host.devices.map(\.address.description)
        #expect(addresses.first == "0000:3b:00.0")
        #expect(addresses[1] == "0000:3b:01.0")
        #expect(addresses.last == "0000:3b:09.0")
        let uuids = scenario.hosts.flatMap { $0.host.mdevs.map(\.uuid) }
        #expect(uuids.count == 120)
        #expect(Set(uuids).count == 120)
        let again = try loadScenario(yaml)
        #expect(again.hosts.flatMap { $0.host.mdevs.map(\.uuid) }.sorted { $0.description < $1.description }
                == uuids.sorted { $0.description < $1.description })
    }

    @Test func settingsReachTheDriverWithTheirTypes() throws {
        let scenario = try loadScenario("""
            hosts:
              - name: h
                devices:
                  - address: 3b:00.0
                    driver: test-pf
                    settings:
                      total_vfs: 0x10
                      model: "1.10"
            """)
        #expect(Testbed(host: scenario.hosts[0].host).read("/bus/pci/devices/0000:3b:00.0/sriov_totalvfs") == .success("16\n"))
    }

    /// Opening a FIFO for reading waits for a writer; a device may never end. Neither is read.
    @Test func onlyRegularFilesAreRead() throws {
        let fifo = "/tmp/fakesysfs-fifo-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let notRegular = "not a regular file (a FIFO, socket or device)"
        #expect(throws: ScenarioError(file: fifo, line: 0, reason: notRegular)) {
            try Scenario.load(contentsOf: fifo, drivers: TestDrivers.lookup)
        }
        #expect(throws: ScenarioError(file: "/dev/zero", line: 0, reason: notRegular)) {
            try Scenario.load(contentsOf: "/dev/zero", drivers: TestDrivers.lookup)
        }
        #expect(throws: ScenarioError(file: "/tmp", line: 0, reason: "cannot read: Is a directory")) {
            try Scenario.load(contentsOf: "/tmp", drivers: TestDrivers.lookup)
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: ScenarioError(file: "/nonexistent/s.yaml", line: 0, reason: "cannot read: No such file or directory")) {
            try Scenario.load(contentsOf: "/nonexistent/s.yaml", drivers: TestDrivers.lookup)
        }
    }
}
