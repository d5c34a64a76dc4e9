import Scenario
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A mounted scenario file: its faults, reload with `ctl` and with SIGHUP, and several hosts.
@Suite(.requiresFUSE) struct ScenarioLiveTests {
    final class ScenarioFile {
        let path = "/tmp/fakesysfs-scenario-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).yaml"

        init(_ yaml: String) throws { try write(yaml) }

        func write(_ yaml: String) throws {
            guard POSIX.writeFile(path, yaml) == .success(yaml.utf8.count) else { throw TestFailure("cannot write \(path)") }
        }

        func remove() { unlink(path) }
    }

    /// One host `dst` with an NVMe PF (one VF), `extraDevices` (YAML lines at the device-list indent) and `faults`.
    static func oneHost(driverVersion: String, extraDevices: [String] = [], faults: [String] = []) -> String {
        (["hosts:",
          "  - name: dst",
          "    devices:",
          "      - address: 0000:3b:00.0",
          "        driver: nvme-vf",
          "        settings: {driver_version: \(driverVersion)}",
          "        vfs: 1"] + extraDevices.map { "      " + $0 }
            + (faults.isEmpty ? [] : ["    faults:"] + faults.map { "      - " + $0 })).joined(separator: "\n") + "\n"
    }

    let vf = "/bus/pci/devices/0000:3b:00.1"

    @Test func scenarioFaultsAreInForceFromTheStart() throws {
        let file = try ScenarioFile(Self.oneHost(driverVersion: "1.0.0", faults: [
            #"{path: "*/0000:3b:00.1/migration_version", op: read, errno: EAGAIN, once: true}"#,
        ]))
        defer { file.remove() }
        let tree = try MountedTree.mount(scenario: file.path)
        defer { tree.unmount() }
        #expect(POSIX.readFile(tree.path(vf + "/migration_version")) == .failure(.resourceTemporarilyUnavailable))
        #expect(try POSIX.readFile(tree.path(vf + "/migration_version")).get().hasPrefix("nvme-144d-a824-1.0.0-"))
        #expect(try tree.ctl("fault", "list").output.hasPrefix("1\tscenario\tmatched 2\tfired 1\tread "))
    }

    @Test func aBadScenarioFaultIsRefusedWithItsLine() throws {
        let file = try ScenarioFile(Self.oneHost(driverVersion: "1.0.0", faults: [#"{path: "*/x", errno: ESOON}"#]))
        defer { file.remove() }
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let other = "/tmp/fakesysfs-badfault-\(getpid())"
        _ = POSIX.mkdir(other)
        defer { rmdir(other) }
        let result = try Command.run([try MountedTree.binary(), "mount", "--scenario", file.path, other])
        #expect(result == CommandResult(status: 2, output: "Error: \(file.path):9: fault: errno: 'ESOON' is not an errno name or number 1...4095\n"))
        #expect(!MountTable.contains(other))
    }

    @Test func reloadAppliesWhatChangedInTheFile() throws {
        let file = try ScenarioFile(Self.oneHost(driverVersion: "1.0.0"))
        defer { file.remove() }
        let tree = try MountedTree.mount(scenario: file.path)
        defer { tree.unmount() }
        try file.write(Self.oneHost(driverVersion: "1.1.0", extraDevices: ["- {address: 0000:5e:00.0, driver: qat-vf}"]))
        let reload = try tree.ctl("reload")
        #expect(reload.status == 0)
        #expect(reload.output.hasPrefix("reloaded: updated 0000:3b:00.0: driver_version=1.1.0; plugged 0000:5e:00.0 (qat-vf); "
                                        + "0 scenario faults in force\n"))
        #expect(try POSIX.readFile(tree.path(vf + "/migration_version")).get().hasPrefix("nvme-144d-a824-1.1.0-"))
        #expect(POSIX.readFile(tree.path("/bus/pci/devices/0000:5e:00.0/vendor")) == .success("0x8086\n"))
    }

    @Test func hangupReloads() throws {
        let file = try ScenarioFile(Self.oneHost(driverVersion: "1.0.0"))
        defer { file.remove() }
        let tree = try MountedTree.mount(scenario: file.path)
        defer { tree.unmount() }
        try file.write(Self.oneHost(driverVersion: "2.0.0"))
        let server = try #require(tree.serverPID)
        #expect(kill(server, SIGHUP) == 0)
        #expect(eventually(within: 5) { tree.serverLog.contains("reloaded: updated 0000:3b:00.0: driver_version=2.0.0") })
        #expect(try POSIX.readFile(tree.path(vf + "/migration_version")).get().hasPrefix("nvme-144d-a824-2.0.0-"))
        #expect(tree.isMounted)
    }

    @Test func severalHostsTakeHostScopedCommandsFaultsAndTraces() throws {
        let file = try ScenarioFile("""
            hosts:
              - name: src
                devices:
                  - {address: 0000:3b:00.0, driver: nvme-vf, vfs: 1}
              - name: dst
                devices:
                  - {address: 0000:3b:00.0, driver: nvme-vf, vfs: 1}
                faults:
                  - {path: "*/migration_version", op: write, errno: EBUSY}
            """)
        defer { file.remove() }
        let trace = TraceFile()
        defer { trace.remove() }
        let tree = try MountedTree.mount(scenario: file.path, options: ["--trace", trace.path])
        defer { tree.unmount() }
        let version = try POSIX.readFile(tree.path("/src" + vf + "/migration_version")).get()
        #expect(POSIX.writeFile(tree.path("/src" + vf + "/migration_version"), version) == .success(version.utf8.count))
        #expect(POSIX.writeFile(tree.path("/dst" + vf + "/migration_version"), version) == .failure(.resourceBusy))
        #expect(try tree.ctl("set-vfs", "0000:3b:00.0", "2")
                == CommandResult(status: 1, output: "Error: several hosts: say which with --host (src, dst)\n"))
        #expect(try tree.ctl("set-vfs", "--host", "dst", "0000:3b:00.0", "2").output.contains("[dst] + /devices/pci0000:00/0000:3b:00.2/\n"))
        #expect(POSIX.stat(tree.path("/src/bus/pci/devices/0000:3b:00.2")).failure == .noSuchFileOrDirectory)
        let injected = try #require(trace.entries.first { $0.fault == true })
        #expect(injected.host == "dst")
        #expect(injected.path == "/devices/pci0000:00/0000:3b:00.1/migration_version")
    }
}
