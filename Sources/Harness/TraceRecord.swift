import FuseServer
import Support
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// One line of an access trace: who did what to which path, with what
/// result. The server writes it and `fakesysfs trace` reads it back; the
/// JSON keys are `CodingKeys`, for both.
///
/// Operations are the filesystem's (`open`, `read`, `write`, `readdir`,
/// `readlink`, `lookup`, `getattr`) plus `uevent` for device add/remove/change,
/// `ctl` for control commands and `mark` for the marks tests leave.
public struct TraceRecord: Sendable, Equatable, Codable {
    /// UTC, as `2026-11-26T16:02:28.123456Z`; given when the record is written.
    public var time = ""
    public var pid: Int32?
    public var command: String?
    public var operation: String
    public var host: String?
    public var path: String
    /// `open`: the access mode (`r`, `w`, `rw`).
    public var mode: String?
    /// `write`: the bytes written, as text. `readlink`: the target. `ctl`: the command line.
    public var value: String?
    /// `read`: bytes returned; `write`: bytes offered.
    public var length: Int?
    public var offset: Int?
    /// 0 on success.
    public var errno: Int32 = 0
    /// The errno's name, when it is not 0 (written from `errno`).
    public var error: String?
    /// What the kernel core or driver logged while refusing (or doing) it, lines joined by "; ".
    public var reason: String?
    /// True when an injected fault decided the result.
    public var fault: Bool?
    /// `uevent`: the action and subsystem.
    public var action: String?
    public var subsystem: String?
    /// `ctl`: the changes the command made, one per line.
    public var changes: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case time, pid, command = "comm", operation = "op", host, path, mode, value, length = "bytes", offset
        case errno, error, reason, fault, action, subsystem, changes
    }

    public init(operation: String, path: String, host: String? = nil) {
        self.operation = operation
        self.path = path
        self.host = host
    }

    /// Sets the reasons, or none when `lines` is empty.
    public mutating func explain(_ lines: [String]) {
        reason = lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    /// The record as one JSON object on one line (no trailing newline), keys in `CodingKeys` order.
    public func jsonLine(time: String = TraceRecord.now()) -> String {
        var json = JSONObjectWriter()
        for key in CodingKeys.allCases {
            switch key {
            case .time: json.add(key, time)
            case .pid: json.add(key, pid.map(Int.init))
            case .command: json.add(key, command)
            case .operation: json.add(key, operation)
            case .host: json.add(key, host)
            case .path: json.add(key, path)
            case .mode: json.add(key, mode)
            case .value: json.add(key, value)
            case .length: json.add(key, length)
            case .offset: json.add(key, offset)
            case .errno: json.add(key, Int(errno))
            case .error: json.add(key, errno == 0 ? nil : ErrnoNames.name(of: errno))
            case .reason: json.add(key, reason)
            case .fault: if fault == true { json.addTrue(key) }
            case .action: json.add(key, action)
            case .subsystem: json.add(key, subsystem)
            case .changes: json.add(key, changes)
            }
        }
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

/// Builds one flat JSON object with correctly escaped strings; absent values are left out.
private struct JSONObjectWriter {
    private var text = "{"

    mutating func add(_ key: TraceRecord.CodingKeys, _ value: String?) {
        if let value { member(key, JSONQuoting.quoted(value)) }
    }

    mutating func add(_ key: TraceRecord.CodingKeys, _ value: Int?) {
        if let value { member(key, String(value)) }
    }

    mutating func addTrue(_ key: TraceRecord.CodingKeys) { member(key, "true") }

    mutating func finish() -> String { text + "}" }

    private mutating func member(_ key: TraceRecord.CodingKeys, _ rendered: String) {
        if text.count > 1 { text += "," }
        text += JSONQuoting.quoted(key.rawValue) + ":" + rendered
    }
}
