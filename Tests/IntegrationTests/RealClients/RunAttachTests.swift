import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs run --attach MOUNTPOINT --host NAME`: runs sharing one server,
/// each with its own namespaces, its host's tree as /sys and its host's uevents.
@Suite(.requiresClients("udevadm")) struct RunAttachTests {
    @Test func eachRunSeesItsHostAndOnlyItsHostsUevents() throws {
        let scenario = try RunScenarioFile(RunScenarioTests.twoHosts)
        defer { scenario.remove() }
        let tree = try MountedTree.mount(scenario: scenario.path)
        defer { tree.unmount() }
        let binary = try MountedTree.binary()
        let ready = tree.workspace + "/monitoring", done = tree.workspace + "/changed"
        let monitor = tree.workspace + "/monitor"
        var replies: [ClientSession.Outcome] = []
        let outcome = try ClientSession.spawn([binary, "run", "--attach", tree.root, "--host", "east", "--", "/bin/sh", "-c",
                                               StepLog.prelude + """
            udevadm monitor --udev --property --subsystem-match=pci >\(monitor) 2>&1 &
            monitor=$!
            until_ok listening 20 grep -q '^UDEV - ' \(monitor)
            : > \(ready)
            until_ok changed 20 test -e \(done)
            until_ok events 20 grep -qx 'ACTION=change' \(monitor)
            kill $monitor; wait $monitor
            step devpaths sh -c "grep -e ^ACTION= -e ^DEVPATH= \(monitor) | paste -d' ' - -"
            step devices ls /sys/bus/pci/devices
            """]) { _ in
            guard eventually(within: 20, { access(ready, F_OK) == 0 }) else { return }
            for (host, device, count) in [("west", "0000:00:02.0", nil), ("east", "0000:5e:00.0", "1")] {
                let arguments = count.map { ["set-vfs", "--host", host, device, $0] }
                    ?? ["create-mdev", "--host", host, device, "i915-GVTg_V5_8"]
                if let reply = try? ClientSession.spawn([binary, "ctl", tree.root] + arguments) {
                    replies.append(reply)
                }
            }
            close(open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600))
        }
        #expect(replies.map(\.status) == [0, 0], "\(replies)")
        #expect(outcome.status == 0, "\(outcome)")
        let log = StepLog(outcome.stdout)
        #expect(log["listening"]?.status == 0)
        #expect(log["events"]?.status == 0)
        // Three VFs to one goes through none (sriov_del_vfs: first to last, each unbound then
        // removed; iov.c: add, change, bind, then the PF's change); nothing of west's mdev.
        let events = log["devpaths"]?.lines.map { line in
            line.split(separator: " ").map { $0.split(separator: "/").last.map(String.init) ?? "" }.joined(separator: " ")
        }
        #expect(events == [
            "ACTION=unbind 0000:5e:00.1", "ACTION=remove 0000:5e:00.1", "ACTION=unbind 0000:5e:00.2",
            "ACTION=remove 0000:5e:00.2", "ACTION=unbind 0000:5e:00.3", "ACTION=remove 0000:5e:00.3",
            "ACTION=add 0000:5e:00.1", "ACTION=change 0000:5e:00.1", "ACTION=bind 0000:5e:00.1",
            "ACTION=change 0000:5e:00.0",
        ], "\(outcome)")
        #expect(log["devices"]?.output == "0000:5e:00.0\n0000:5e:00.1\n")
    }

    @Test func severalHostsWithoutHostAreRefusedWithTheirNames() throws {
        let scenario = try RunScenarioFile(RunScenarioTests.twoHosts)
        defer { scenario.remove() }
        let tree = try MountedTree.mount(scenario: scenario.path)
        defer { tree.unmount() }
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--attach", tree.root, "--", "/bin/echo", "ran"])
        #expect(outcome.status == 125)
        #expect(outcome.stderr == "Error: \(tree.root) serves several hosts: say which becomes /sys with --host (hosts: east, west)\n")
    }
}
