import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Scenario files built to break the loader: deep nesting, FIFOs, and a path
/// swapped between mount and reload. Each is refused with a one-line reason
/// and a running server keeps serving its tree.
@Suite(.requiresFUSE) struct ScenarioAbuseTests {
    static let deep = "hosts: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
    let vf = "/bus/pci/devices/0000:3b:00.1"

    /// A scenario path in a fresh private directory, removed with it.
    final class Place {
        let directory: String
        var path: String { directory + "/s.yaml" }

        init() throws {
            var template = Array("/tmp/fakesysfs-abuse.XXXXXX".utf8CString)
            guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
            directory = String(cBuffer: template)
        }

        func write(_ yaml: String, to name: String = "s.yaml") throws {
            let target = directory + "/" + name
            unlink(target)
            guard POSIX.writeFile(target, yaml) == .success(yaml.utf8.count) else { throw TestFailure("cannot write \(target)") }
        }

        func remove() {
            for name in ["s.yaml", "v1.yaml", "v2.yaml"] { unlink(directory + "/" + name) }
            rmdir(directory)
        }
    }

    @Test func checkAndMountRefuseADeepDocument() throws {
        let place = try Place()
        defer { place.remove() }
        try place.write(Self.deep)
        let reason = "\(place.path):1: nested deeper than 64 levels"
        #expect(try Command.run([try MountedTree.binary(), "scenario", "check", place.path])
                == CommandResult(status: 1, output: reason + "\n"))
        let target = place.directory + "/m"
        _ = POSIX.mkdir(target)
        defer { rmdir(target) }
        #expect(try Command.run([try MountedTree.binary(), "mount", "--scenario", place.path, target])
                == CommandResult(status: 2, output: "Error: \(reason)\n"))
        #expect(!MountTable.contains(target))
    }

    @Test func checkAndMountRefuseAFIFO() throws {
        let place = try Place()
        defer { place.remove() }
        #expect(mkfifo(place.path, 0o600) == 0)
        let reason = "\(place.path): not a regular file (a FIFO, socket or device)"
        #expect(try Command.run(["/usr/bin/timeout", "-s", "KILL", "10", try MountedTree.binary(), "scenario", "check", place.path])
                == CommandResult(status: 1, output: reason + "\n"))
        let target = place.directory + "/m"
        _ = POSIX.mkdir(target)
        defer { rmdir(target) }
        #expect(try Command.run(["/usr/bin/timeout", "-s", "KILL", "10", try MountedTree.binary(), "mount", "--scenario", place.path, target])
                == CommandResult(status: 2, output: "Error: \(reason)\n"))
        #expect(!MountTable.contains(target))
    }

    @Test func aReloadOfADeepDocumentIsRefusedAndTheServerKeepsServing() throws {
        let place = try Place()
        defer { place.remove() }
        try place.write(ScenarioLiveTests.oneHost(driverVersion: "1.0.0"))
        let tree = try MountedTree.mount(scenario: place.path)
        defer { tree.unmount() }
        try place.write(Self.deep)
        #expect(try tree.ctl("reload")
                == CommandResult(status: 1, output: "Error: reload: \(place.path):1: nested deeper than 64 levels\n"))
        let server = try #require(tree.serverPID)
        #expect(kill(server, SIGHUP) == 0)
        #expect(eventually(within: 5) { tree.serverLog.contains("reload: \(place.path):1: nested deeper than 64 levels") })
        #expect(try POSIX.readFile(tree.path(vf + "/migration_version")).get().hasPrefix("nvme-144d-a824-1.0.0-"))
        #expect(tree.isMounted)
    }

    @Test func aReloadOfAFIFOIsRefusedAndControlStaysResponsive() throws {
        let place = try Place()
        defer { place.remove() }
        try place.write(ScenarioLiveTests.oneHost(driverVersion: "1.0.0"))
        let tree = try MountedTree.mount(scenario: place.path)
        defer { tree.unmount() }
        unlink(place.path)
        #expect(mkfifo(place.path, 0o600) == 0)
        #expect(try tree.ctl("reload") == CommandResult(
            status: 1, output: "Error: reload: \(place.path): not a regular file (a FIFO, socket or device)\n"))
        #expect(try tree.ctl("status").status == 0)
    }

    /// `ln -sfn v2.yaml s.yaml; fakesysfs ctl MOUNTPOINT reload` reads v2: the path is resolved at each reload.
    @Test func aReloadFollowsTheScenarioPathAsItIsNow() throws {
        let place = try Place()
        defer { place.remove() }
        try place.write(ScenarioLiveTests.oneHost(driverVersion: "1.0.0"), to: "v1.yaml")
        try place.write(ScenarioLiveTests.oneHost(driverVersion: "2.0.0"), to: "v2.yaml")
        #expect(symlink("v1.yaml", place.path) == 0)
        let tree = try MountedTree.mount(scenario: place.path)
        defer { tree.unmount() }
        unlink(place.path)
        #expect(symlink("v2.yaml", place.path) == 0)
        let reload = try tree.ctl("reload")
        #expect(reload.output.hasPrefix("reloaded: updated 0000:3b:00.0: driver_version=2.0.0; "))
        #expect(try POSIX.readFile(tree.path(vf + "/migration_version")).get().hasPrefix("nvme-144d-a824-2.0.0-"))
    }
}
