@testable import Scenario
import Testing
@testable import KernelCore

@Suite struct ScenarioDeclarationTests {
    let yaml = """
        hosts:
          - name: dst
            flavours: [json]
            devices:
              - address: 0000:00:02.0
                driver: test-gpu
                settings: {capacity: 6}
                mdevs:
                  - {type: pool-small, uuid: 5a3e2b74-8c0e-4d3c-9a4a-0c1f6f0e6a01}
                  - {type: pool-large, count: 2}
              - address: 0000:3b:00.0
                driver: test-pf
                vfs: 2
            faults:
              - {path: "*/migration_version", op: [read, write], errno: ENODEV, once: true}
              - {path: "*/0000:3b:00.2", vanish: true}
        """

    @Test func declarationsFollowTheFileWithDerivedUUIDs() throws {
        let (scenario, hosts) = try Scenario.loadDeclared(yaml: yaml, file: "s.yaml", drivers: TestDrivers.lookup,
                                                          driverNames: TestDrivers.names)
        let host = try #require(hosts.first)
        #expect(host.name == "dst")
        #expect(host.flavours == [.json])
        #expect(host.devices.map(\.address.description) == ["0000:00:02.0", "0000:3b:00.0"])
        #expect(host.devices[0].driver == "test-gpu")
        #expect(host.devices[0].settings.values == ["capacity": .integer(6)])
        #expect(host.devices[1].vfs == 2)
        let built = scenario.hosts[0].host.mdevs.map(\.uuid).sorted { $0.description < $1.description }
        let declared = host.devices[0].mdevs.map(\.uuid).sorted { $0.description < $1.description }
        #expect(declared == built)
        #expect(host.devices[0].mdevs.map(\.type) == ["pool-small", "pool-large", "pool-large"])
    }

    @Test func faultsAreKeptAsWrittenWithTheirLines() throws {
        let (_, hosts) = try Scenario.loadDeclared(yaml: yaml, file: "s.yaml", drivers: TestDrivers.lookup,
                                                   driverNames: TestDrivers.names)
        #expect(hosts[0].faults == [
            DeclaredFault(fields: ["path": "*/migration_version", "op": "read,write", "errno": "ENODEV", "once": "true"],
                          file: "s.yaml", line: 15),
            DeclaredFault(fields: ["path": "*/0000:3b:00.2", "vanish": "true"], file: "s.yaml", line: 16),
        ])
    }

    @Test func aFaultMustBeAMapping() {
        #expect(throws: ScenarioError(file: "s.yaml", line: 4, reason: "a fault must be a mapping of keys to values")) {
            _ = try Scenario.loadDeclared(yaml: "hosts:\n  - name: h\n    faults:\n      - EAGAIN\n", file: "s.yaml",
                                          drivers: TestDrivers.lookup, driverNames: TestDrivers.names)
        }
    }
}
