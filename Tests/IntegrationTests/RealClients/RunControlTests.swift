import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs run` with a control socket, a trace and a state file.
@Suite(.requiresClients()) struct RunControlTests {
    private static func temporaryPath(_ suffix: String) -> String {
        "/tmp/fakesysfs-runctl-\(getpid())-\(Int.random(in: 0...Int.max))\(suffix)"
    }

    @Test func theCommandReachesItsServerThroughFakesysfsControl() throws {
        let binary = try MountedTree.binary()
        let trace = Self.temporaryPath(".jsonl")
        defer { unlink(trace) }
        let uuid = "4d2c6a0e-91b3-4c1f-8e7a-5b0d3f2a9c61"
        let outcome = try ClientSession.spawn([binary, "run", "--trace", trace, "--", "/bin/sh", "-c", """
            \(binary) ctl --socket "$FAKESYSFS_CONTROL" create-mdev 0000:00:02.0 i915-GVTg_V5_4 \(uuid) >/dev/null &&
            ls /sys/bus/mdev/devices && cat /sys/bus/mdev/devices/\(uuid)/mdev_type/name
            """])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout == "\(uuid)\nGVTg_V5_4\n")
        let records = try ClientSession.spawn([binary, "trace", trace, "--op", "ctl"])
        #expect(records.stdout.contains("ctl \"create-mdev 0000:00:02.0 i915-GVTg_V5_4 \(uuid)\""), "\(records)")
    }

    @Test func aChangeFromOutsideIsSeenInside() throws {
        let binary = try MountedTree.binary()
        let socket = "/run/fakesysfs/test-run-\(getpid())-\(Int.random(in: 0...99999)).sock"
        let ready = Self.temporaryPath(".ready"), done = Self.temporaryPath(".done")
        defer {
            unlink(ready)
            unlink(done)
        }
        var reply: ClientSession.Outcome?
        let outcome = try ClientSession.spawn([binary, "run", "--control", socket, "--", "/bin/sh", "-c", """
            echo "$FAKESYSFS_CONTROL"; : > \(ready)
            while [ ! -e \(done) ]; do sleep 0.05; done
            cat /sys/bus/pci/devices/0000:f3:00.0/sriov_numvfs; ls /sys/bus/pci/devices | wc -l
            """]) { _ in
            guard eventually(within: 20, { access(ready, F_OK) == 0 }) else { return }
            reply = try? ClientSession.spawn([binary, "ctl", "--socket", socket, "set-vfs", "0000:f3:00.0", "3"])
            close(open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600))
        }
        #expect(reply?.status == 0)
        // The QAT PF enables all 16 VFs whatever the request (adf_sriov.c).
        #expect(reply?.stdout.contains("~ /devices/pci0000:00/0000:f3:00.0/sriov_numvfs: 0 -> 16\n") == true, "\(String(describing: reply))")
        #expect(outcome.status == 0, "\(outcome)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [socket, "16", "19"])
        #expect(access(socket, F_OK) != 0)
    }

    @Test func theStateFileCarriesMdevsToTheNextRun() throws {
        let binary = try MountedTree.binary()
        let state = Self.temporaryPath(".json")
        defer { unlink(state) }
        let uuid = "9e1f0c7a-3b5d-4e2a-8c6f-1d0b7a4e3f52"
        let first = try ClientSession.spawn([binary, "run", "--state", state, "--", "/bin/sh", "-c",
                                             "echo \(uuid) > /sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/create"])
        #expect(first.status == 0, "\(first)")
        let second = try ClientSession.spawn([binary, "run", "--state", state, "--", "/bin/sh", "-c",
                                              "basename $(readlink /sys/bus/mdev/devices/\(uuid)/mdev_type)"])
        #expect(second.stdout == "i915-GVTg_V5_8\n", "\(second)")
    }
}
