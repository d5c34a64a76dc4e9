import FuseServer
import Testing
@testable import Harness
#if canImport(Glibc)
import Glibc
#endif

@Suite struct TraceTests {
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    func withTrace(_ body: (TestSystem, String) throws -> Void) throws {
        let path = "/tmp/fakesysfs-harness-trace-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        defer { unlink(path) }
        let trace = try AccessTrace(path: path)
        try body(TestSystem(trace: trace), path)
    }

    @Test func controlCommandsUEventsAndMarksAreTraced() throws {
        try withTrace { test, path in
            test.ctl("mark", "step", "one")
            test.ctl("create-mdev", "0000:00:02.0", "unit", uuid)
            test.ctl("create-mdev", "0000:00:02.0", "unit", uuid)
            let entries = try TraceLog.read(path).map(\.entry)
            #expect(entries.map(\.op) == ["mark", "uevent", "ctl", "ctl"])
            #expect(entries[0].value == "step one")
            #expect(entries[1].action == "add")
            #expect(entries[1].subsystem == "mdev")
            #expect(entries[1].path == "/devices/pci0000:00/0000:00:02.0/\(uuid)")
            #expect(entries[2].value == "create-mdev 0000:00:02.0 unit \(uuid)")
            #expect(entries[2].errno == 0)
            #expect(entries[2].changes?.contains("+ /devices/pci0000:00/0000:00:02.0/\(uuid)/") == true)
            #expect(entries[3].errno == 1)
            #expect(entries[3].reason == "write /devices/pci0000:00/0000:00:02.0/mdev_supported_types/versioned-unit/create: "
                    + "EEXIST (File exists); mdev \(uuid) already exists")
        }
    }

    @Test func filtersByPathOperationPidCommandAndErrors() throws {
        var write = TraceEntry(time: "2026-11-26T16:02:28.123456Z", pid: 42, comm: "mdevctl", op: "write", host: nil,
                               path: "/devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create",
                               mode: nil, value: uuid, bytes: 36, offset: nil, errno: 17, error: "EEXIST",
                               reason: "mdev exists", fault: nil, action: nil, subsystem: nil, changes: nil)
        var filter = TraceFilter()
        #expect(filter.keeps(write))
        filter.paths = ["/sys/devices/*/create"]
        #expect(filter.keeps(write))
        filter.paths = ["*/remove"]
        #expect(!filter.keeps(write))
        filter = TraceFilter()
        filter.operations = ["read", "open"]
        #expect(!filter.keeps(write))
        filter = TraceFilter()
        filter.pid = 41
        #expect(!filter.keeps(write))
        filter = TraceFilter()
        filter.command = "mdevctl"
        filter.errorsOnly = true
        #expect(filter.keeps(write))
        write.errno = 0
        #expect(!filter.keeps(write))
    }

    @Test func readableLines() {
        let write = TraceEntry(time: "2026-11-26T16:02:28.123456Z", pid: 42, comm: "mdevctl", op: "write", host: nil,
                               path: "/x/create", mode: nil, value: uuid, bytes: 36, offset: nil, errno: 17,
                               error: "EEXIST", reason: "mdev exists", fault: nil, action: nil, subsystem: nil,
                               changes: nil)
        #expect(write.readable == "16:02:28.123456 mdevctl[42] write /x/create \"\(uuid)\" = EEXIST (mdev exists)")
        let read = TraceEntry(time: "2026-11-26T16:02:29.000001Z", pid: 7, comm: "cat", op: "read", host: "dst",
                              path: "/x/available_instances", mode: nil, value: nil, bytes: 2, offset: nil, errno: 11,
                              error: "EAGAIN", reason: nil, fault: true, action: nil, subsystem: nil, changes: nil)
        #expect(read.readable == "16:02:29.000001 cat[7] [dst] read /x/available_instances 2 bytes = EAGAIN (injected)")
    }

    @Test func aBrokenLineIsNamed() throws {
        let path = "/tmp/fakesysfs-harness-broken-\(getpid()).jsonl"
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = "{\"time\":\"t\",\"op\":\"read\",\"path\":\"/x\",\"errno\":0}\nnot json\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #expect(throws: TraceLog.Failure.self) { try TraceLog.read(path) }
        do {
            _ = try TraceLog.read(path)
        } catch {
            #expect(error.description == "\(path):2: not a trace line")
        }
    }

    /// A process picks its own name (`prctl(PR_SET_NAME)`): a newline or an escape in it must not forge a line.
    @Test func processNamesArePrintedEscaped() {
        let forged = TraceEntry(time: "2026-11-26T16:02:28.123456Z", pid: 42, comm: "a\nb\u{1b}[2J\u{202e}c\\", op: "read",
                                host: nil, path: "/x", mode: nil, value: nil, bytes: 1, offset: nil, errno: 0, error: nil,
                                reason: nil, fault: nil, action: nil, subsystem: nil, changes: nil)
        #expect(forged.readable == "16:02:28.123456 a\\x0ab\\x1b[2J\\u{202e}c\\\\[42] read /x 1 bytes")
    }
}

