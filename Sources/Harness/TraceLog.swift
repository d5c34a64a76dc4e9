import Foundation
import FuseServer
#if canImport(Glibc)
import Glibc
import Support
#endif

/// One line of an access trace, read back.
public struct TraceEntry: Decodable, Sendable, Equatable {
    public var time: String
    public var pid: Int32?
    public var comm: String?
    public var op: String
    public var host: String?
    public var path: String
    public var mode: String?
    public var value: String?
    public var bytes: Int?
    public var offset: Int?
    public var errno: Int32
    public var error: String?
    public var reason: String?
    public var fault: Bool?
    public var action: String?
    public var subsystem: String?
    public var changes: String?

    /// The line as one readable sentence, e.g.
    /// `16:02:28.123456 mdevctl[812] write /devices/.../create "83b8..." = EEXIST (mdev ... already exists)`.
    public var readable: String {
        let clock = time.split(separator: "T").last.map { String($0.dropLast()) } ?? time
        var words = [clock]
        if let pid { words.append("\(comm ?? "?")[\(pid)]") }
        if let host { words.append("[\(host)]") }
        words.append(op)
        if let action { words.append(action) }
        if !path.isEmpty { words.append(path) }
        if let mode { words.append("(\(mode))") }
        if let value { words.append(JSONQuoting.quoted(value)) }
        if op == "read", let bytes { words.append("\(bytes) bytes") }
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
        if !operations.isEmpty && !operations.contains(entry.op) { return false }
        if let pid, entry.pid != pid { return false }
        if let command, entry.comm != command { return false }
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read \(path)")
        }
        var result: [(String, TraceEntry)] = []
        let decoder = JSONDecoder()
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let entry = try? decoder.decode(TraceEntry.self, from: Data(line.utf8)) else {
                throw Failure(description: "\(path):\(number + 1): not a trace line")
            }
            result.append((String(line), entry))
        }
        return result
    }
}
