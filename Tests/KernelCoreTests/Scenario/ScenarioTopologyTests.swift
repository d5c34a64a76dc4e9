import SysfsTree
import Testbed
import Testing
@testable import KernelCore

/// A host's `cpus` or `topology` decides `/devices/system` and every device's node.
@Suite struct ScenarioTopologyTests {
    @Test func aTopologyDescribesSocketsCoresThreadsAndNodes() throws {
        let scenario = try loadScenario("""
            hosts:
              - name: snc
                topology:
                  sockets: 2
                  cores_per_socket: 20
                  threads_per_core: 1
                  nodes_per_socket: 2
                  memory_mib_per_node: 65536
                devices:
                  - address: 0000:3b:00.0
                    driver: test-pf
                  - address: 0000:c1:00.0
                    driver: test-pf
            """)
        let bed = Testbed(host: scenario.hosts[0].host)
        #expect(scenario.hosts[0].host.cpuCount == 40)
        #expect(bed.read("/devices/system/cpu/online") == .success("0-39\n"))
        #expect(bed.read("/devices/system/node/possible") == .success("0-3\n"))
        #expect(bed.read("/devices/system/node/node2/distance") == .success("21 21 10 11\n"))
        #expect(try bed.read("/devices/system/node/node1/meminfo").get().hasPrefix("Node 1 MemTotal:       67108864 kB\n"))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.0/numa_node") == .success("0\n"))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.0/local_cpulist") == .success("0-9\n"))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.0/local_cpus") == .success("00,000003ff\n"))
        #expect(bed.read("/bus/pci/devices/0000:c1:00.0/numa_node") == .success("3\n"))
        #expect(bed.read("/bus/pci/devices/0000:c1:00.0/local_cpus") == .success("ff,c0000000\n"))
    }

    @Test func cpusAloneMakeOneNodeWithoutNUMA() throws {
        let scenario = try loadScenario("""
            hosts:
              - name: small
                cpus: 40
                devices:
                  - address: 0000:3b:00.0
                    driver: test-pf
            """)
        let bed = Testbed(host: scenario.hosts[0].host)
        #expect(bed.read("/devices/system/node/online") == .success("0\n"))
        #expect(bed.read("/devices/system/cpu/cpu39/topology/core_id") == .success("39\n"))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.0/numa_node") == .success("-1\n"))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.0/local_cpus") == .success("ff,ffffffff\n"))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.0/local_cpulist") == .success("0-39\n"))
    }

    @Test func badTopologiesAreRefused() {
        func refusal(_ topology: String) -> String? {
            do {
                _ = try loadScenario("hosts:\n  - name: h\n" + topology)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal("    cpus: 4\n    topology: {sockets: 1}")
                == "s.yaml:4: give either `cpus` (one node of that many CPUs) or `topology`, not both")
        #expect(refusal("    topology: {socket: 1}") == "s.yaml:3: unknown key 'socket' in `topology` (known: sockets, "
                + "cores_per_socket, threads_per_core, nodes_per_socket, memory_mib_per_node)")
        #expect(refusal("    topology: {sockets: 0}") == "s.yaml:3: `sockets` must be a whole number from 1 to 64")
        #expect(refusal("    topology: {cores_per_socket: 4, nodes_per_socket: 3}")
                == "s.yaml:3: `nodes_per_socket` (3) must divide `cores_per_socket` (4)")
        #expect(refusal("    topology: {sockets: 8, cores_per_socket: 300, threads_per_core: 2}")
                == "s.yaml:3: 4800 CPUs in all: at most 4096")
    }
}
