@testable import Scenario
import Testing
@testable import KernelCore

@Suite struct FleetScenarioTests {
    @Test func compactAndExplicitFormsBuildTheSameFleet() throws {
        let fleet = FleetScenario(hosts: 3, devicesPerHost: 10, driver: "test-pf")
        #expect(fleet.problem == nil)
        #expect(fleet.compactYAML == """
            # 3 hosts x 10 test-pf devices
            hosts:
              - name: host
                count: 3
                devices:
                  - driver: test-pf
                    first: 0000:01:00.0
                    count: 10

            """)
        let compact = try loadScenario(fleet.compactYAML)
        let explicit = try loadScenario(fleet.explicitYAML)
        #expect(compact.hosts.map(\.name) == ["host0", "host1", "host2"])
        #expect(explicit.hosts.map(\.name) == compact.hosts.map(\.name))
        #expect(explicit.hosts[2].host.devices.map(\.address) == compact.hosts[2].host.devices.map(\.address))
        #expect(compact.hosts[2].host.devices.map(\.address.description).last == "0000:01:01.1")
    }

    @Test func aLoneHostTakesThePrefixAsItsName() throws {
        let fleet = FleetScenario(hosts: 1, devicesPerHost: 2, driver: "test-gpu", namePrefix: "yes")
        #expect(try loadScenario(fleet.compactYAML).hosts.map(\.name) == ["yes"])
    }

    @Test func impossibleFleetsAreExplained() {
        #expect(FleetScenario(hosts: 0, devicesPerHost: 1, driver: "d").problem == "--hosts must be from 1 to 100000")
        #expect(FleetScenario(hosts: 2000, devicesPerHost: 1000, driver: "d").problem
                == "2000 x 1000 is more than 1000000 devices")
        #expect(FleetScenario(hosts: 1, devicesPerHost: 70000, driver: "d").problem
                == "70000 devices from 0000:01:00.0 run past bus ff")
        #expect(FleetScenario(hosts: 2, devicesPerHost: 1, driver: "d", namePrefix: "a/").problem
                == "bad host name prefix 'a/': it may not contain /")
    }
}
