import DriverCatalog
@testable import Scenario
import Testbed
import Testing
@testable import KernelCore

/// The scenarios in `scenarios/` and the embedded default build with the real drivers.
@Suite struct ShippedScenarioTests {
    static let directory = String(#filePath.split(separator: "/").dropLast(4).joined(separator: "/").prepending("/"))

    private func load(_ name: String) throws(ScenarioError) -> Scenario {
        try Scenario.load(contentsOf: ShippedScenarioTests.directory + "/scenarios/" + name,
                          drivers: { DriverCatalog.factory(named: $0) }, driverNames: DriverCatalog.names)
    }

    @Test(arguments: [
        ("driver-upgrade.yaml", "2 hosts, 42 PCI functions, 1 mdev"),
        ("mdev-to-vf.yaml", "2 hosts, 35 PCI functions, 2 mdevs"),
        ("bench-1000.yaml", "1 host, 1002 PCI functions, 0 mdevs"),
        ("fleet-100k.yaml", "1000 hosts, 100000 PCI functions, 0 mdevs"),
        ("fleet-1m.yaml", "10000 hosts, 1000000 PCI functions, 0 mdevs"),
    ])
    func builds(file: String, summary: String) throws {
        #expect(try load(file).summary == summary)
    }

    @Test func theBenchHostHoldsOnlyQATFunctionsUnderItsFirstRootBus() throws {
        let scenario = try load("bench-1000.yaml")
        let bed = Testbed(host: scenario.hosts[0].host)
        defer { withExtendedLifetime(scenario) {} }
        let functions = bed.names("/devices/pci0000:00").filter { $0 != "uevent" }
        #expect(functions.count == 1000)
        #expect(functions.first == "0000:00:00.0")
        #expect(functions.last == "0000:03:1c.7")
        #expect(bed.read("/devices/pci0000:00/0000:03:1c.7/vendor") == .success("0x8086\n"))
        #expect(try bed.read("/devices/pci0000:00/0000:03:1c.7/migration_version").get().hasPrefix("qat-gen4-8086-4940-"))
    }

    @Test(arguments: [("fleet-100k.yaml", 1000), ("fleet-1m.yaml", 10000)])
    func theFleetFileIsWhatTheGeneratorWrites(file: String, hosts: Int) throws {
        let shipped = try ScenarioFile.read(ShippedScenarioTests.directory + "/scenarios/" + file)
        let generated = FleetScenario(hosts: hosts, devicesPerHost: 100, driver: "qat-vf").compactYAML
        let body = { (text: String) in text.split(separator: "\n").filter { !$0.hasPrefix("#") } }
        #expect(body(shipped) == body(generated))
    }

    @Test func theDefaultScenarioHasOneDeviceOfEachDriver() throws {
        let scenario = try DriverCatalog.loadScenario(nil)
        #expect(scenario.hosts.map(\.name) == ["default"])
        #expect(scenario.hosts[0].host.devices.map { "\($0.address) \($0.kernelDriver ?? "-")" }
                == ["0000:00:02.0 i915", "0000:3b:00.0 nvme", "0000:f3:00.0 4xxx"])
    }
}

private extension String {
    func prepending(_ prefix: String) -> String { prefix + self }
}
