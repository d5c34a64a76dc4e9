import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs run --scenario FILE [--host NAME]`: which host's tree becomes /sys.
@Suite(.requiresClients()) struct RunScenarioTests {
    static let twoHosts = """
        hosts:
          - name: east
            devices:
              - {address: 0000:5e:00.0, driver: nvme-vf, vfs: 3}
          - name: west
            devices:
              - address: 0000:00:02.0
                driver: i915-gvt
                mdevs:
                  - {type: i915-GVTg_V5_8, uuid: 0b6d2c1e-77aa-4f4c-9d55-3e2f6a1c0d42}

        """

    @Test func theNamedHostBecomesSys() throws {
        let scenario = try RunScenarioFile(Self.twoHosts)
        defer { scenario.remove() }
        let west = try ClientSession.spawn([try MountedTree.binary(), "run", "--scenario", scenario.path, "--host", "west",
                                            "--", "/bin/sh", "-c", "ls /sys/bus/pci/devices /sys/bus/mdev/devices"])
        #expect(west.status == 0, "\(west)")
        #expect(west.stdout == "/sys/bus/mdev/devices:\n0b6d2c1e-77aa-4f4c-9d55-3e2f6a1c0d42\n\n/sys/bus/pci/devices:\n0000:00:02.0\n")
        let east = try ClientSession.spawn([try MountedTree.binary(), "run", "--scenario", scenario.path, "--host", "east",
                                            "--", "/bin/sh", "-c", "ls /sys/bus/pci/devices"])
        #expect(east.stdout == "0000:5e:00.0\n0000:5e:00.1\n0000:5e:00.2\n0000:5e:00.3\n")
    }

    @Test func severalHostsWithoutHostAreRefusedWithTheirNames() throws {
        let scenario = try RunScenarioFile(Self.twoHosts)
        defer { scenario.remove() }
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--scenario", scenario.path,
                                               "--", "/bin/echo", "ran"])
        #expect(outcome.status == 125)
        #expect(outcome.stdout == "")
        #expect(outcome.stderr == "Error: the scenario has several hosts: say which becomes /sys with --host (hosts: east, west)\n")
        let unknown = try ClientSession.spawn([try MountedTree.binary(), "run", "--scenario", scenario.path,
                                               "--host", "north", "--", "/bin/echo", "ran"])
        #expect(unknown.status == 125)
        #expect(unknown.stderr == "Error: no host 'north' in the scenario (hosts: east, west)\n")
    }

    @Test func aSingleHostScenarioNeedsNoName() throws {
        let scenario = try RunScenarioFile("""
            hosts:
              - name: lonely
                devices:
                  - {address: 0000:af:00.0, driver: qat-vf}

            """)
        defer { scenario.remove() }
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--scenario", scenario.path,
                                               "--", "/bin/ls", "/sys/bus/pci/devices"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout == "0000:af:00.0\n")
    }

    @Test func anInvalidScenarioIsRefusedBeforeTheCommandRuns() throws {
        let scenario = try RunScenarioFile("hosts:\n  - name: a\n    devices:\n      - {address: 0000:zz:00.0, driver: qat-vf}\n")
        defer { scenario.remove() }
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--scenario", scenario.path,
                                               "--", "/bin/echo", "ran"])
        #expect(outcome.status == 125)
        #expect(outcome.stdout == "")
        #expect(outcome.stderr.hasPrefix("Error: \(scenario.path):4: "), "\(outcome)")
    }
}

/// A scenario written to a private temporary file.
struct RunScenarioFile {
    let path: String

    init(_ text: String) throws {
        var template = Array("/tmp/fakesysfs-scenario-XXXXXX.yaml".utf8CString)
        let fd = mkstemps(&template, 5)
        try #require(fd >= 0)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        path = String(cBuffer: template)
        try #require(written == bytes.count)
    }

    func remove() { unlink(path) }
}
