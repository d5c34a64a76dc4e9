import Testbed
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
            step loopback cat /sys/class/net/lo/flags
            step pid sh -c 'echo $PPID'
            step scratch sh -c "cut -d' ' -f5 /proc/self/mountinfo | grep -c fakesysfs-run"
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
        // IFF_UP | IFF_LOOPBACK, as a booted system shows it.
        #expect(log["loopback"]?.output == "0x9\n")
        // The command's shell is the second process of its PID namespace, after run-init.
        #expect(log["pid"]?.output == "2\n")
        // The scratch tree is a tmpfs over /sys inside the namespace, hidden under the tree: no directory on the host.
        #expect(log["scratch"]?.output == "0\n")
    }

    @Test func anExplicitSysfsVerificationSettingIsKept() throws {
        let outcome = try ClientSession.spawn(["env", "SYSTEMD_DEVICE_VERIFY_SYSFS=1", try MountedTree.binary(),
                                               "run", "--", "/bin/sh", "-c", #"echo "$SYSTEMD_DEVICE_VERIFY_SYSFS""#])
        #expect(outcome.stdout == "1\n")
    }

    @Test(.requiresClients("setpriv"))
    func otherUsersReadAsInSysfsAndWritesGoByMode() throws {
        let device = "/sys/bus/pci/devices/0000:3b:00.0"
        let outcome = try ClientSession.run(script: StepLog.prelude + """
            nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
            step vendor nobody cat \(device)/vendor
            step config nobody sh -c 'wc -c < \(device)/config'
            step config-bytes nobody sh -c 'od -An -tx1 -N4 \(device)/config'
            step root-config sh -c 'wc -c < \(device)/config'
            step write nobody sh -c 'echo 1 > \(device)/sriov_numvfs'
            step numvfs cat \(device)/sriov_numvfs
            step modes stat -c '%a %U' \(device)/vendor \(device)/sriov_numvfs \(device)/config
            """)
        let log = StepLog(outcome.stdout)
        #expect(log["vendor"]?.output == "0x144d\n")
        // pci_read_config: 64 bytes for an opener without CAP_SYS_ADMIN.
        #expect(log["config"]?.output == "64\n")
        #expect(log["config-bytes"]?.output == " 4d 14 24 a8\n")
        #expect(log["root-config"]?.output == "4096\n")
        #expect(log["write"]?.status == 2)
        #expect(log["write"]?.output.hasSuffix("sriov_numvfs: Permission denied\n") == true, "\(outcome)")
        #expect(log["numvfs"]?.output == "0\n")
        #expect(log["modes"]?.output == "444 root\n644 root\n644 root\n")
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
        let marker = "600.\(Int.random(in: 100...999))"
        let outcome = try ClientSession.run(script: "sleep \(marker) & echo $!")
        #expect(outcome.status == 0)
        let pid = try #require(pid_t(outcome.stdout.strippingBlanks))
        #expect(outcome.stderr.contains("stopping what the command left running: \(pid) ("), "\(outcome)")
        #expect(ProcessTable.first { $0 == ["sleep", marker] } == nil)
    }

    @Test func aChildThatLeavesTheNetworkNamespaceDiesWithTheRun() throws {
        let marker = "600.\(Int.random(in: 100...999))"
        let outcome = try ClientSession.run(script: "unshare -n sh -c 'exec sleep \(marker)' & sleep 0.5; echo started")
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "started\n")
        #expect(ProcessTable.first { $0 == ["sleep", marker] } == nil)
    }

    @Test func killingRunWithSIGKILLLeavesNothing() throws {
        let marker = "600.\(Int.random(in: 100...999))"
        var mountPoints: [String] = []
        let outcome = try ClientSession.spawn([try MountedTree.binary(), "run", "--", "/bin/sh", "-c",
                                               "sleep \(marker) & unshare -n sh -c 'exec sleep \(marker)' & wait"]) { run in
            let started = eventually(within: 20) {
                ProcessTable.first { $0 == ["sleep", marker] } != nil
            }
            mountPoints = ClientSession.text("/proc/\(run)/mountinfo").split(separator: "\n")
                .map { $0.split(separator: " ").dropFirst(4).first.map(String.init) ?? "" }
            if started { kill(run, SIGKILL) }
        }
        #expect(outcome.status == 128 + SIGKILL)
        #expect(eventually(within: 5) { ProcessTable.first { $0 == ["sleep", marker] } == nil })
        // What run mounted lives in its namespace, on /sys: nothing on the host to clean up.
        #expect(mountPoints.contains("/sys/tree"))
        #expect(!mountPoints.contains { $0.contains("fakesysfs-run") })
    }

    @Test func theHostsProcessesAreOutOfSight() throws {
        let outcome = try ClientSession.run(script: "echo /proc/[0-9]*; test -e /proc/\(getpid())/root/tmp; echo $?")
        // run-init and the shell; the test process's pid does not exist in the namespace.
        #expect(outcome.stdout == "/proc/1 /proc/2\n1\n")
    }

    @Test(.requiresClients("udevadm"))
    func ueventsReachLibudevMonitorsInsideAndNothingOutside() throws {
        let host = try #require(UEventListener())
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
        // iov.c: each VF's add (no driver yet), its change once physfn exists, its bind; then the PF's change.
        #expect(events.map { "\($0["ACTION"] ?? "") \($0["DEVPATH"] ?? "")" } == [
            "add /\(bus)/0000:3b:00.1", "change /\(bus)/0000:3b:00.1", "bind /\(bus)/0000:3b:00.1",
            "add /\(bus)/0000:3b:00.2", "change /\(bus)/0000:3b:00.2", "bind /\(bus)/0000:3b:00.2", "change \(pf)",
        ])
        #expect(events.allSatisfy { $0["SUBSYSTEM"] == "pci" })
        #expect(events.first?["PCI_SLOT_NAME"] == "0000:3b:00.1")
        #expect(events.map { $0["DRIVER"] ?? "-" } == ["-", "-", "nvme", "-", "-", "nvme", "nvme"])
        let sequence = events.compactMap { $0["SEQNUM"].flatMap { UInt64($0) } }
        #expect(sequence.count == 7 && zip(sequence, sequence.dropFirst()).allSatisfy { $1 == $0 + 1 })

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
