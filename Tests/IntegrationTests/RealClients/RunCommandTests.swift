import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs run` itself: what the command sees, what it returns, and that
/// nothing of it is left on (or reaches) the host.
@Suite(.requiresClients()) struct RunCommandTests {
    @Test func commandSeesTheTreeAsSysAndNothingIsLeftBehind() throws {
        let outcome = try ClientSession.run(script: StepLog.prelude + """
            step fstype stat -f -c %t /sys
            step devices ls /sys/bus/pci/devices
            step verify sh -c 'echo "$SYSTEMD_DEVICE_VERIFY_SYSFS"'
            step mdevctl-config find /etc/mdevctl.d
            step interfaces sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
            step scratch sh -c "grep -o ' /tmp/fakesysfs-run[.][^ /]*' /proc/self/mountinfo | sort -u"
            exit 7
            """)
        #expect(outcome.status == 7)
        let log = StepLog(outcome.stdout)
        #expect(log["fstype"]?.output == "65735546\n")
        #expect(log["devices"]?.output == "0000:00:02.0\n0000:3b:00.0\n0000:f3:00.0\n")
        #expect(log["verify"]?.output == "0\n")
        #expect(log["mdevctl-config"]?.lines.sorted() == [
            "/etc/mdevctl.d", "/etc/mdevctl.d/scripts.d",
            "/etc/mdevctl.d/scripts.d/callouts", "/etc/mdevctl.d/scripts.d/notifiers",
        ])
        #expect(log["interfaces"]?.output == "lo\n")

        let scratch = try #require(log["scratch"]?.lines.first).strippingBlanks
        #expect(scratch.hasPrefix("/tmp/fakesysfs-run."))
        #expect(access(scratch, F_OK) != 0 && errno == ENOENT)
        #expect(!ClientSession.text("/proc/self/mountinfo").contains(scratch))
    }

    @Test func anExplicitSysfsVerificationSettingIsKept() throws {
        let outcome = try ClientSession.spawn(["env", "SYSTEMD_DEVICE_VERIFY_SYSFS=1", try MountedTree.binary(),
                                               "run", "--", "/bin/sh", "-c", #"echo "$SYSTEMD_DEVICE_VERIFY_SYSFS""#])
        #expect(outcome.stdout == "1\n")
    }

    @Test(.requiresClients("setpriv"))
    func otherUsersGetInOnlyWithAllowOther() throws {
        let asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "cat", "/sys/bus/pci/devices/0000:00:02.0/vendor"]
        let refused = try ClientSession.spawn([try MountedTree.binary(), "run", "--"] + asNobody)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("vendor': Permission denied") || refused.stderr.contains("vendor: Permission denied"))
        let allowed = try ClientSession.spawn([try MountedTree.binary(), "run", "--allow-other", "--"] + asNobody)
        #expect(allowed.status == 0)
        #expect(allowed.stdout == "0x8086\n")
    }

    @Test func theServerLogGoesWhereLogSays() throws {
        var template = Array("/tmp/fakesysfs-run-log.XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        close(fd)
        let logPath = String(cBuffer: template)
        defer { unlink(logPath) }
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--log", logPath, "--", "/bin/sh", "-c",
                                               "/bin/echo bogus > /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "/bin/echo: write error: Invalid argument\n")
        let log = ClientSession.text(logPath)
        #expect(log.contains("/0000:3b:00.0/sriov_numvfs (6 bytes): Invalid argument\n"),
                "\(log)")
    }

    @Test func aCommandThatCannotBeExecutedIs127() throws {
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--", "/nonexistent/fakesysfs-test"])
        #expect(outcome.status == 127)
        #expect(outcome.stderr.contains("cannot execute /nonexistent/fakesysfs-test: No such file or directory"))
    }

    @Test func aCommandKilledBySignalIs128PlusTheSignal() throws {
        #expect(try ClientSession.run(script: "kill -KILL $$").status == 128 + SIGKILL)
    }

    @Test func terminationSentToRunReachesTheCommand() throws {
        // The command says it is ready only once its trap is set, so the signal cannot beat it.
        let ready = "/tmp/fakesysfs-forwarding-\(getpid())-\(Int.random(in: 0...Int.max))"
        defer { unlink(ready) }
        let script = "trap 'echo got TERM; exit 42' TERM; : > \(ready); while :; do sleep 0.1; done"
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--", "/bin/sh", "-c", script]) { run in
            let started = eventually(within: 20) { access(ready, F_OK) == 0 }
            if started { kill(run, SIGTERM) }
        }
        #expect(outcome.status == 42)
        #expect(outcome.stdout == "got TERM\n")
    }

    @Test func processesTheCommandLeftRunningAreStopped() throws {
        let outcome = try ClientSession.run(script: "sleep 600 & echo $!")
        #expect(outcome.status == 0)
        let pid = try #require(pid_t(outcome.stdout.strippingBlanks))
        #expect(!ProcessTable.isRunning(pid))
        #expect(outcome.stderr.contains("stopping what the command left running: \(pid) ("))
    }

    @Test(.requiresClients("udevadm"))
    func ueventsReachLibudevMonitorsInsideAndNothingOutside() throws {
        let host = try #require(HostUEventListener())
        let outcome = try ClientSession.run(script: StepLog.prelude + """
            mount -t tmpfs private-tmp /tmp
            udevadm monitor --udev --property --subsystem-match=pci >/tmp/monitor 2>&1 &
            monitor=$!
            until_ok listening 20 grep -q '^UDEV - ' /tmp/monitor
            step pf-path realpath --relative-to=/sys /sys/bus/pci/devices/0000:3b:00.0
            step numvfs sh -c 'echo 2 > /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs'
            until_ok pf-change 20 grep -qx "DEVPATH=/$(realpath --relative-to=/sys /sys/bus/pci/devices/0000:3b:00.0)" /tmp/monitor
            kill $monitor; wait $monitor
            step events grep = /tmp/monitor
            """)
        #expect(outcome.status == 0, "\(outcome)")
        let log = StepLog(outcome.stdout)
        #expect(log["listening"]?.status == 0)
        #expect(log["numvfs"]?.status == 0)
        #expect(log["pf-change"]?.status == 0)

        // VFs are siblings of their PF under the same bus directory.
        let pf = "/" + (log["pf-path"]?.output.strippingBlanks ?? "")
        let bus = pf.split(separator: "/").dropLast().joined(separator: "/")
        let events = UEventProperties.parse(log["events"]?.output ?? "")
        #expect(events.map { "\($0["ACTION"] ?? "") \($0["DEVPATH"] ?? "")" } == [
            "add /\(bus)/0000:3b:00.1", "add /\(bus)/0000:3b:00.2", "change \(pf)",
        ])
        #expect(events.allSatisfy { $0["SUBSYSTEM"] == "pci" })
        #expect(events.first?["PCI_SLOT_NAME"] == "0000:3b:00.1")
        let sequence = events.compactMap { $0["SEQNUM"].flatMap { UInt64($0) } }
        #expect(sequence.count == 3 && zip(sequence, sequence.dropFirst()).allSatisfy { $1 == $0 + 1 })

        let leaked = host.drain().filter { $0.contains("/0000:3b:00.1\0") }
        #expect(leaked.isEmpty)
    }
}

/// `KEY=value` blocks as `udevadm monitor --property` prints them, one per event.
enum UEventProperties {
    static func parse(_ text: String) -> [[String: String]] {
        var events: [[String: String]] = []
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]), value = String(line[line.index(after: equals)...])
            if key == "ACTION" { events.append([:]) }
            if !events.isEmpty { events[events.count - 1][key] = value }
        }
        return events
    }
}
