import Foundation
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
            #expect(entries.map(\.operation) == ["mark", "uevent", "uevent", "ctl", "ctl"])
            #expect(entries[0].value == "step one")
            #expect(entries[1].action == "add")
            #expect(entries[1].subsystem == "mdev")
            #expect(entries[1].path == "/devices/pci0000:00/0000:00:02.0/\(uuid)")
            #expect(entries[2].action == "bind")
            #expect(entries[3].value == "create-mdev 0000:00:02.0 unit \(uuid)")
            #expect(entries[3].errno == 0)
            #expect(entries[3].changes?.contains("+ /devices/pci0000:00/0000:00:02.0/\(uuid)/") == true)
            #expect(entries[4].errno == 1)
            #expect(entries[4].reason == "write /devices/pci0000:00/0000:00:02.0/mdev_supported_types/versioned-unit/create: "
                    + "EEXIST (File exists); mdev \(uuid) already exists")
        }
    }

    func record(_ operation: String, _ path: String, time: String, pid: Int32, command: String) -> TraceRecord {
        var record = TraceRecord(operation: operation, path: path)
        record.time = time
        record.pid = pid
        record.command = command
        return record
    }

    @Test func writtenLinesReadBackAsTheSameRecord() throws {
        var written = record("write", "/x/create", time: "", pid: 42, command: "mdevctl")
        written.value = uuid
        written.length = 36
        written.offset = 3
        written.errno = 17
        written.explain(["mdev exists", "again"])
        written.changes = "+ /a\n- /b"
        let line = written.jsonLine(time: "2026-11-26T16:02:28.123456Z")
        var decoded = try JSONDecoder().decode(TraceRecord.self, from: Data(line.utf8))
        #expect(decoded.time == "2026-11-26T16:02:28.123456Z")
        #expect(decoded.error == "EEXIST")
        decoded.time = ""
        decoded.error = nil
        #expect(decoded == written)
    }

    @Test func filtersByPathOperationPidCommandAndErrors() throws {
        var write = record("write", "/devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create",
                           time: "2026-11-26T16:02:28.123456Z", pid: 42, command: "mdevctl")
        write.value = uuid
        write.length = 36
        write.errno = 17
        write.error = "EEXIST"
        write.reason = "mdev exists"
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
        var write = record("write", "/x/create", time: "2026-11-26T16:02:28.123456Z", pid: 42, command: "mdevctl")
        write.value = uuid
        write.length = 36
        write.errno = 17
        write.error = "EEXIST"
        write.reason = "mdev exists"
        #expect(write.readable == "16:02:28.123456 mdevctl[42] write /x/create \"\(uuid)\" = EEXIST (mdev exists)")
        var read = record("read", "/x/available_instances", time: "2026-11-26T16:02:29.000001Z", pid: 7, command: "cat")
        read.host = "dst"
        read.length = 2
        read.errno = 11
        read.error = "EAGAIN"
        read.fault = true
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
        var forged = record("read", "/x", time: "2026-11-26T16:02:28.123456Z", pid: 42, command: "a\nb\u{1b}[2J\u{202e}c\\")
        forged.length = 1
        #expect(forged.readable == "16:02:28.123456 a\\x0ab\\x1b[2J\\u{202e}c\\\\[42] read /x 1 bytes")
    }
}

