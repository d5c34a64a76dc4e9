import SysfsTree
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
        let root = scenario.root
        #expect(scenario.hosts[0].cpuCount == 40)
        #expect(text(root, "devices/system/cpu/online") == "0-39\n")
        #expect(text(root, "devices/system/node/possible") == "0-3\n")
        #expect(text(root, "devices/system/node/node2/distance") == "21 21 10 11\n")
        #expect(text(root, "devices/system/node/node1/meminfo")?.hasPrefix("Node 1 MemTotal:       67108864 kB\n") == true)
        #expect(text(root, "bus/pci/devices/0000:3b:00.0/numa_node") == "0\n")
        #expect(text(root, "bus/pci/devices/0000:3b:00.0/local_cpulist") == "0-9\n")
        #expect(text(root, "bus/pci/devices/0000:3b:00.0/local_cpus") == "00,000003ff\n")
        #expect(text(root, "bus/pci/devices/0000:c1:00.0/numa_node") == "3\n")
        #expect(text(root, "bus/pci/devices/0000:c1:00.0/local_cpus") == "ff,c0000000\n")
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
        let root = scenario.root
        #expect(text(root, "devices/system/node/online") == "0\n")
        #expect(text(root, "devices/system/cpu/cpu39/topology/core_id") == "39\n")
        #expect(text(root, "bus/pci/devices/0000:3b:00.0/numa_node") == "-1\n")
        #expect(text(root, "bus/pci/devices/0000:3b:00.0/local_cpus") == "ff,ffffffff\n")
        #expect(text(root, "bus/pci/devices/0000:3b:00.0/local_cpulist") == "0-39\n")
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
