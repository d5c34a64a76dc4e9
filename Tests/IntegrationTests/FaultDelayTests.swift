import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A delayed request gives its FUSE worker back when its caller goes away or
/// the fault is cleared, instead of holding it for the whole delay.
@Suite(.requiresFUSE) struct FaultDelayTests {
    let devices = "/bus/pci/devices"

    /// `stat PATH` in a process of its own, output discarded.
    func startStat(_ path: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid = pid_t()
        let words: [String] = ["/usr/bin/stat", path]
        let arguments = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/usr/bin/stat", &actions, nil, arguments, environ)
        guard spawned == 0 else { throw TestFailure("cannot run stat: \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Seconds until `pid` exits, or nil if it is still running after `limit` seconds.
    func secondsUntilExit(_ pid: pid_t, limit: Double) -> Double? {
        var status: Int32 = 0
        for tick in 0..<Int(limit * 20) {
            if waitpid(pid, &status, WNOHANG) == pid { return Double(tick) / 20 }
            usleep(50_000)
        }
        return nil
    }

    @Test func aKilledCallersDelayEndsWithEINTR() throws {
        let trace = TraceFile()
        defer { trace.remove() }
        let tree = try MountedTree.mount(options: ["--trace", trace.path])
        defer { tree.unmount() }
        _ = try tree.ctl("fault", "add", "path=*/held", "op=lookup", "delay=30s")
        let pid = try startStat(tree.path(devices + "/held"))
        defer { kill(pid, SIGKILL); _ = secondsUntilExit(pid, limit: 40) }
        usleep(500_000)
        kill(pid, SIGKILL)
        #expect(secondsUntilExit(pid, limit: 5) != nil)
        let ended = trace.entries.last { $0.operation == "lookup" && $0.path == devices + "/held" }
        #expect(ended?.error == "EINTR")
        #expect(ended?.fault == true)
    }

    @Test func faultClearEndsTheDelaysUnderWay() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        _ = try tree.ctl("fault", "add", "path=*/0000:3b:00.0", "op=lookup", "delay=30s")
        let pid = try startStat(tree.path(devices + "/0000:3b:00.0"))
        defer { kill(pid, SIGKILL); _ = secondsUntilExit(pid, limit: 40) }
        usleep(500_000)
        #expect(try tree.ctl("fault", "clear").output == "cleared 1 fault\n")
        #expect(secondsUntilExit(pid, limit: 5) != nil)
    }
}
