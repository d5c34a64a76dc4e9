import Testing
@testable import Harness
import FuseServer
#if canImport(Glibc)
import Glibc
#endif

@Suite struct TraceRecordTests {
    @Test func writeRecordIsOneEscapedJSONLine() {
        var record = TraceRecord(operation: "write", path: "/devices/pci0000:00/0000:00:02.0/x/create")
        record.pid = 42
        record.command = "mdevctl"
        record.value = "a\"b\\c\n\u{1}"
        record.length = 9
        record.errno = EINVAL
        record.explain(["first", "second"])
        #expect(record.jsonLine(time: "T") == #"{"time":"T","pid":42,"comm":"mdevctl","op":"write","#
                + #""path":"/devices/pci0000:00/0000:00:02.0/x/create","value":"a\"b\\c\n\u0001","bytes":9,"#
                + #""errno":22,"error":"EINVAL","reason":"first; second"}"#)
    }

    @Test func successHasNoErrorName() {
        var record = TraceRecord(operation: "uevent", path: "/devices/x", host: "src")
        record.action = "add"
        #expect(record.jsonLine(time: "T") == #"{"time":"T","op":"uevent","host":"src","path":"/devices/x","errno":0,"action":"add"}"#)
    }

    @Test func timeIsISO8601WithMicroseconds() {
        let time = TraceRecord.now()
        #expect(time.count == 27)
        #expect(time.hasSuffix("Z"))
        #expect(Array(time)[10] == "T")
    }

    @Test func traceFileGetsWholeLines() throws {
        let path = "/tmp/fakesysfs-trace-test-\(getpid()).jsonl"
        defer { unlink(path) }
        do {
            let trace = try AccessTrace(path: path)
            trace.record(TraceRecord(operation: "read", path: "/a"))
            trace.record(TraceRecord(operation: "read", path: "/b"))
        }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &buffer, buffer.count)
        let lines = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.contains(#""path":"/b""#) == true)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
