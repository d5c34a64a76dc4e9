import Support
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// One line of an access trace: who did what to which path, with what result.
///
/// Operations are the filesystem's (`open`, `read`, `write`, `readdir`,
/// `readlink`, `lookup`, `getattr`) plus `uevent` for device add/remove/change
/// and `ctl` for control commands.
public struct TraceRecord: Sendable, Equatable {
    public var operation: String
    public var path: String
    public var host: String?
    public var pid: Int32?
    public var command: String?
    /// `open`: the access mode (`r`, `w`, `rw`).
    public var mode: String?
    /// `write`: the bytes written, as text. `ctl`: the command line.
    public var value: String?
    /// `read`: bytes returned; `write`: bytes offered.
    public var length: Int?
    public var offset: Int?
    /// 0 on success.
    public var errno: Int32 = 0
    /// What the kernel core or driver logged while refusing (or doing) it.
    public var reason: [String] = []
    /// True when an injected fault decided the result.
    public var fault = false
    /// `uevent`: the action and subsystem; `ctl`: the changes, one per line.
    public var details: [(key: String, value: String)] = []

    public init(operation: String, path: String, host: String? = nil) {
        self.operation = operation
        self.path = path
        self.host = host
    }

    public static func == (lhs: TraceRecord, rhs: TraceRecord) -> Bool {
        lhs.jsonFields(time: "") == rhs.jsonFields(time: "")
    }

    /// The record as one JSON object on one line (no trailing newline).
    public func jsonLine(time: String = TraceRecord.now()) -> String {
        jsonFields(time: time)
    }

    private func jsonFields(time: String) -> String {
        var json = JSONObjectWriter()
        json.add("time", time)
        if let pid { json.add("pid", Int(pid)) }
        if let command { json.add("comm", command) }
        json.add("op", operation)
        if let host { json.add("host", host) }
        json.add("path", path)
        if let mode { json.add("mode", mode) }
        if let value { json.add("value", value) }
        if let length { json.add("bytes", length) }
        if let offset { json.add("offset", offset) }
        json.add("errno", Int(errno))
        if errno != 0 { json.add("error", ErrnoNames.name(of: errno)) }
        if !reason.isEmpty { json.add("reason", reason.joined(separator: "; ")) }
        if fault { json.add("fault", true) }
        for (key, value) in details { json.add(key, value) }
        return json.finish()
    }

    /// The current UTC time as `2026-11-26T16:02:28.123456Z`.
    public static func now() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(now.tv_nsec / 1000, 6) + "Z"
    }
}

/// Builds one flat JSON object with correctly escaped strings.
struct JSONObjectWriter {
    private var text = "{"

    mutating func add(_ key: String, _ value: String) { member(key, JSONQuoting.quoted(value)) }
    mutating func add(_ key: String, _ value: Int) { member(key, String(value)) }
    mutating func add(_ key: String, _ value: Bool) { member(key, value ? "true" : "false") }

    mutating func finish() -> String { text + "}" }

    private mutating func member(_ key: String, _ rendered: String) {
        if text.count > 1 { text += "," }
        text += JSONQuoting.quoted(key) + ":" + rendered
    }

}
