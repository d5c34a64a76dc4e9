import FuseServer
import Support
#if canImport(Glibc)
import Glibc
#endif

/// One injected fault: for paths matching `path` (a glob over the canonical
/// path below the host's `/sys`, where `*` also matches `/`), on the given
/// operations, fail with an errno and/or wait, when the trigger says so.
///
/// `vanish` makes a device disappear for everything but readdir: the listing
/// still names it, while lookup, getattr, open and readlink of it or anything
/// below it fail with ENOENT, as when a device goes away between a client's
/// readdir and its open.
public struct FaultRule: Sendable, Equatable, CustomStringConvertible {
    public enum Trigger: Sendable, Equatable {
        case always
        /// The first matching operation only.
        case once
        /// Every Nth matching operation (the Nth, 2Nth, ...).
        case every(Int)
        /// Each matching operation with probability p, from a seeded generator (reproducible).
        case probability(Double, seed: UInt64)
    }

    public var path: String
    /// The host (in a multi-host mount) the rule is for; nil for all.
    public var host: String?
    public var operations: Set<FuseOperation>
    /// The errno returned; nil for a delay alone.
    public var errno: Int32?
    public var delayMilliseconds: Int
    public var vanish: Bool
    public var trigger: Trigger

    public static let vanishOperations: Set<FuseOperation> = [.lookup, .getattr, .open, .readlink]
    /// The longest delay a rule may ask for, and the longest an operation waits whatever rules match.
    public static let maximumDelayMilliseconds = 600_000

    public init(path: String, host: String? = nil, operations: Set<FuseOperation>, errno: Int32? = nil,
                delayMilliseconds: Int = 0, vanish: Bool = false, trigger: Trigger = .always) {
        self.path = FaultRule.normalizedPattern(path)
        self.host = host
        self.operations = operations
        self.errno = vanish ? ENOENT : errno
        self.delayMilliseconds = delayMilliseconds
        self.vanish = vanish
        self.trigger = trigger
    }

    /// A pattern may be written with the mount's `/sys` prefix; the tree has no `sys` at its top.
    public static func normalizedPattern(_ pattern: String) -> String {
        var text = pattern
        if text == "/sys" { return "/" }
        if text.hasPrefix("/sys/") { text.removeFirst(4) }
        if !text.hasPrefix("/") && !text.hasPrefix("*") { text = "/" + text }
        return text
    }

    /// True when `path` (or, for `vanish`, one of its ancestors) matches the pattern.
    func matches(path candidate: String) -> Bool {
        if fnmatch(path, candidate, 0) == 0 { return true }
        guard vanish else { return false }
        var ancestor = Substring(candidate)
        while let slash = ancestor.lastIndex(of: "/"), slash > ancestor.startIndex {
            ancestor = ancestor[..<slash]
            if fnmatch(path, String(ancestor), 0) == 0 { return true }
        }
        return false
    }

    public var description: String {
        var parts = [operations.sorted().map(\.rawValue).joined(separator: ","), path]
        if let host { parts.append("host=\(host)") }
        if vanish {
            parts.append("vanish")
        } else if let errno {
            parts.append(ErrnoNames.name(of: errno))
        }
        if delayMilliseconds > 0 { parts.append("delay=\(delayMilliseconds)ms") }
        switch trigger {
        case .always: break
        case .once: parts.append("once")
        case .every(let n): parts.append("every=\(n)")
        case .probability(let p, let seed): parts.append("probability=\(p) seed=\(seed)")
        }
        return parts.joined(separator: " ")
    }
}

extension FaultRule {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The keys a rule is written with, in a scenario's `faults:` list or on `fakesysfs ctl ... fault add`.
    public static let keys: [(key: String, meaning: String)] = [
        ("path", "glob over the canonical path below /sys; * also matches /"),
        ("op", "lookup, getattr, open, read, write, readdir, readlink (comma-separated; default read,write, or all but readdir for vanish)"),
        ("errno", "the error to return: a name (EAGAIN) or a number"),
        ("delay", "wait first: milliseconds (250, 250ms) or seconds (1.5s)"),
        ("vanish", "true: lookup/getattr/open/readlink of the path and below get ENOENT; readdir still lists it"),
        ("once", "true: only the first matching operation"),
        ("every", "N: every Nth matching operation"),
        ("probability", "p in 0...1: each matching operation with this chance"),
        ("seed", "the seed for probability (default 1), for reproducible runs"),
        ("host", "the host of a multi-host mount the rule applies to (default: all)"),
    ]

    /// Builds a rule from `key=value` fields; every error names the key at fault.
    public init(fields: [String: String]) throws(ParseError) {
        if let unknown = fields.keys.sorted().first(where: { key in !FaultRule.keys.contains { $0.key == key } }) {
            throw ParseError("unknown key '\(unknown)' (known: \(FaultRule.keys.map(\.key).joined(separator: ", ")))")
        }
        guard let path = fields["path"], !path.isEmpty else { throw ParseError("path: a glob is required") }
        let vanish = try FaultRule.flag(fields, "vanish")
        var operations: Set<FuseOperation> = vanish ? FaultRule.vanishOperations : [.read, .write]
        if let list = fields["op"] {
            operations = []
            for word in list.split(separator: ",").map({ $0.trimming(" ") }) where !word.isEmpty {
                guard let operation = FuseOperation(rawValue: word) else {
                    throw ParseError("op: unknown operation '\(word)' (known: \(FuseOperation.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                operations.insert(operation)
            }
            guard !operations.isEmpty else { throw ParseError("op: name at least one operation") }
        }
        var errno: Int32?
        if let text = fields["errno"] {
            guard let value = ErrnoNames.value(of: text) else { throw ParseError("errno: '\(text)' is not an errno name or number 1...4095") }
            if vanish { throw ParseError("errno: vanish always answers ENOENT") }
            errno = value
        }
        let delay = try fields["delay"].map { text throws(ParseError) in try FaultRule.milliseconds(text) } ?? 0
        guard errno != nil || delay > 0 || vanish else {
            throw ParseError("give errno, delay or vanish: a rule must do something")
        }
        let trigger = try FaultRule.trigger(fields)
        self.init(path: path, host: fields["host"], operations: operations, errno: errno,
                  delayMilliseconds: delay, vanish: vanish, trigger: trigger)
    }

    private static func trigger(_ fields: [String: String]) throws(ParseError) -> Trigger {
        let once = try flag(fields, "once")
        let chosen = [once ? "once" : nil, fields["every"] != nil ? "every" : nil,
                      fields["probability"] != nil ? "probability" : nil].compactMap { $0 }
        guard chosen.count <= 1 else { throw ParseError("\(chosen.joined(separator: ", ")): choose one trigger") }
        if once { return .once }
        if let text = fields["every"] {
            guard let n = Int(text), n >= 1 else { throw ParseError("every: '\(text)' is not a whole number ≥ 1") }
            return .every(n)
        }
        if let text = fields["probability"] {
            guard let p = Double(text), p >= 0, p <= 1 else { throw ParseError("probability: '\(text)' is not a number in 0...1") }
            var seed: UInt64 = 1
            if let seedText = fields["seed"] {
                guard let value = UInt64(seedText) else { throw ParseError("seed: '\(seedText)' is not a whole number ≥ 0") }
                seed = value
            }
            return .probability(p, seed: seed)
        }
        if fields["seed"] != nil { throw ParseError("seed: only meaningful with probability") }
        return .always
    }

    private static func flag(_ fields: [String: String], _ key: String) throws(ParseError) -> Bool {
        switch fields[key]?.lowercased() {
        case nil, "false", "no", "0": return false
        case "", "true", "yes", "1": return true
        case let other?: throw ParseError("\(key): '\(other)' is not true or false")
        }
    }

    /// `250`, `250ms`, `1.5s`; at most ten minutes.
    static func milliseconds(_ text: String) throws(ParseError) -> Int {
        var number = Substring(text.trimming(" "))
        var scale = 1.0
        if number.hasSuffix("ms") {
            number = number.dropLast(2)
        } else if number.hasSuffix("s") {
            number = number.dropLast()
            scale = 1000
        }
        guard let value = Double(number), value >= 0, value * scale <= Double(maximumDelayMilliseconds) else {
            throw ParseError("delay: '\(text)' is not a duration up to 10 minutes (250, 250ms, 1.5s)")
        }
        return Int((value * scale).rounded())
    }
}
