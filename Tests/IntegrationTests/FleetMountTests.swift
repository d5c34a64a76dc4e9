import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A generated fleet, mounted as `scripts/bench` mounts `fleet-1m.yaml` but
/// smaller: every host is there at once and reads the values its entry
/// declares, a host is built at its first use, and a control command on one
/// host leaves the others unbuilt.
@Suite(.requiresFUSE) struct FleetMountTests {
    @Test func everyHostOfAGeneratedFleetServesItsDevices() throws {
        let generated = try Command.run([try MountedTree.binary(), "scenario", "generate", "--hosts", "250",
                                         "--devices-per-host", "6", "--driver", "qat-vf"])
        #expect(generated.status == 0)
        let file = try ScenarioFile(generated.output)
        defer { file.remove() }
        let tree = try MountedTree.mount(scenario: file.path)
        defer { tree.unmount() }

        let hosts = try POSIX.directoryEntries(tree.root).get().keys.filter { $0.hasPrefix("host") }.sorted()
        #expect(hosts.count == 250)
        #expect(hosts.first == "host000")
        #expect(hosts.last == "host249")
        for host in ["host000", "host137", "host249"] {
            let functions = try POSIX.directoryEntries(tree.path("/\(host)/bus/pci/devices")).get().keys
                .filter { $0.hasPrefix("0000:") }.sorted()
            #expect(functions == (0..<6).map { "0000:01:00.\($0)" })
            let device = tree.path("/\(host)/bus/pci/devices/0000:01:00.5")
            #expect(POSIX.readFile(device + "/vendor") == .success("0x8086\n"))
            #expect(POSIX.readFile(device + "/device") == .success("0x4940\n"))
            #expect(POSIX.readlink(device) == .success("../../../devices/pci0000:00/0000:01:00.5"))
        }

        let before = try tree.ctl("status")
        #expect(before.status == 0)
        #expect(before.output.contains("host host200: not built yet (built on first use); declares 6 PCI functions, 0 mdevs\n"))
        #expect(before.output.contains("host host137: 6 PCI functions, 0 mdevs\n"))
        let unplug = try tree.ctl("unplug", "--host", "host200", "0000:01:00.2")
        #expect(unplug.status == 0)
        #expect(unplug.output.hasPrefix("unplugged 0000:01:00.2 from host200\n"))
        #expect(POSIX.stat(tree.path("/host200/bus/pci/devices/0000:01:00.2")).failure == .noSuchFileOrDirectory)
        #expect(POSIX.readFile(tree.path("/host200/bus/pci/devices/0000:01:00.3/vendor")) == .success("0x8086\n"))
        let after = try tree.ctl("status")
        #expect(after.output.contains("host host200: 5 PCI functions, 0 mdevs\n"))
        #expect(after.output.contains("host host201: not built yet (built on first use); declares 6 PCI functions, 0 mdevs\n"))
    }
}
