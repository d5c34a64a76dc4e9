@testable import Scenario
import SystemPackage
import SysfsTree
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import KernelCore

/// Builds a scenario from text with the test drivers.
func loadScenario(_ yaml: String) throws(ScenarioError) -> Scenario {
    try Scenario.load(yaml: yaml, file: "s.yaml", drivers: TestDrivers.lookup, driverNames: TestDrivers.names)
}

func text(_ root: Directory, _ path: String) -> String? {
    guard let attribute = root.resolve(path) as? Attribute, let bytes = try? attribute.read() else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

func names(_ root: Directory, _ path: String) -> [String] {
    ((root.resolve(path) as? Directory)?.list() ?? []).map(\.name).sorted()
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
        #expect(names(scenario.root, "bus/pci/devices") == ["0000:00:02.0"])
        #expect(text(scenario.root, "bus/pci/devices/0000:00:02.0/vendor") == "0x8086\n")
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
        #expect(names(scenario.root, "") == ["source", "target"])
        let source = try #require(scenario.root.child("source") as? Directory)
        #expect(scenario.hosts[0].root === source)
        #expect(scenario.hosts[0].cpuCount == 4)
        #expect(text(source, "devices/pci0000:00/0000:00:02.0/local_cpulist") == "0-3\n")
        #expect(text(source, "devices/pci0000:00/0000:00:02.0/flavours") == "migration_version\n")
        #expect(text(scenario.root, "target/devices/pci0000:00/0000:3b:00.0/flavours") == "compatible json migration_version\n")
        #expect(names(source, "bus/pci/devices") == ["0000:00:02.0", "0000:3b:00.0", "0000:3b:00.1", "0000:3b:00.2"])
        #expect(text(source, "bus/pci/devices/0000:3b:00.0/sriov_numvfs") == "2\n")
        #expect((source.resolve("bus/pci/devices/0000:3b:00.0", followFinalLink: false) as? Symlink)?.relativeTarget
                == "../../../devices/pci0000:00/0000:3b:00.0")
        #expect(names(scenario.root, "target/bus/pci/devices") == ["0000:3b:00.0"])

        let mdevs = scenario.hosts[0].mdevs
        #expect(mdevs.count == 3)
        #expect(mdevs.contains { $0.uuid.description == "8f5a1c3e-0000-4000-8000-000000000001" && $0.typeID == "pool-large" })
        #expect(text(source, "bus/pci/devices/0000:00:02.0/mdev_supported_types/pool-small/available_instances") == "4\n")
        #expect(names(source, "bus/mdev/devices").count == 3)
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
        let addresses = scenario.hosts[3].devices.map(\.address.description)
        #expect(addresses.first == "0000:3b:00.0")
        #expect(addresses[1] == "0000:3b:01.0")
        #expect(addresses.last == "0000:3b:09.0")
        let uuids = scenario.hosts.flatMap { $0.mdevs.map(\.uuid) }
        #expect(uuids.count == 120)
        #expect(Set(uuids).count == 120)
        let again = try loadScenario(yaml)
        #expect(again.hosts.flatMap { $0.mdevs.map(\.uuid) }.sorted { $0.description < $1.description }
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
        #expect(text(scenario.root, "bus/pci/devices/0000:3b:00.0/sriov_totalvfs") == "16\n")
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
