import Foundation
import FuseServer
import Support
#if canImport(Glibc)
import Glibc
#endif
import Support

/// One line of an access trace, read back.
public typealias TraceEntry = TraceRecord

extension TraceRecord {
    /// The line as one readable sentence, e.g.
    /// `16:02:28.123456 mdevctl[812] write /devices/.../create "83b8..." = EEXIST (mdev ... already exists)`.
    public var readable: String {
        let clock = time.split(separator: "T").last.map { String($0.dropLast()) } ?? time
        var words = [clock]
        if let pid { words.append("\(command.map(TraceRecord.escaped) ?? "?")[\(pid)]") }
        if let host { words.append("[\(host)]") }
        words.append(operation)
        if let action { words.append(action) }
        if !path.isEmpty { words.append(path) }
        if let mode { words.append("(\(mode))") }
        if let value { words.append(JSONQuoting.quoted(value)) }
        if operation == "read", let length { words.append("\(length) bytes") }
        if let offset { words.append("@\(offset)") }
        var line = words.joined(separator: " ")
        if errno != 0 {
            line += " = " + (error ?? String(errno))
            if fault == true { line += " (injected)" }
        }
        if let reason { line += " (\(reason))" }
        if let changes { line += "\n" + changes.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") }
        return line
    }

    /// A process name as the process chose it, with anything that could forge or reorder
    /// output (control, format and bidi characters, backslash) as `\xNN` or `\u{NNNN}`.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case _ where scalar == "\\": result += "\\\\"
            case .control: result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            case .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Which trace lines to keep.
public struct TraceFilter: Sendable {
    /// Globs over the path, `*` matching `/` too; any one may match.
    public var paths: [String] = []
    public var operations: Set<String> = []
    public var pid: Int32?
    public var command: String?
    public var host: String?
    public var errorsOnly = false

    public init() {}

    public func keeps(_ entry: TraceEntry) -> Bool {
        if !paths.isEmpty && !paths.contains(where: { fnmatch(FaultRule.normalizedPattern($0), entry.path, 0) == 0 }) {
            return false
        }
        if !operations.isEmpty && !operations.contains(entry.operation) { return false }
        if let pid, entry.pid != pid { return false }
        if let command, entry.command != command { return false }
        if let host, entry.host != host { return false }
        if errorsOnly && entry.errno == 0 { return false }
        return true
    }
}

/// Reads a trace file: each line with what it decodes to.
public enum TraceLog {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ path: String) throws(Failure) -> [(line: String, entry: TraceEntry)] {
        let data = try contents(of: path)
        var result: [(String, TraceEntry)] = []
        let decoder = JSONDecoder()
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let entry = try? decoder.decode(TraceRecord.self, from: Data(line.utf8)) else {
                throw Failure(description: "\(path):\(number + 1): not a trace line")
            }
            result.append((String(line), entry))
        }
        return result
    }

    /// The file's bytes; a FIFO or device is refused rather than waited on.
    private static func contents(of path: String) throws(Failure) -> Data {
        func failure() -> Failure { Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw failure() }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure() }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Failure(description: "cannot read \(path): not a regular file") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw failure() }
            if count == 0 { return Data(bytes) }
            bytes += chunk.prefix(count)
        }
    }
}
