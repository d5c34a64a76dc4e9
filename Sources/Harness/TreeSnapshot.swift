import SysfsTree
import SystemPackage

/// Everything visible in one `/sys` tree at one moment: each path with its
/// kind and, for readable attributes, its value. Two snapshots give the
/// changes a control command made.
public struct TreeSnapshot: Sendable {
    enum Entry: Equatable, Sendable {
        case directory
        case link(String)
        case text(String)
        case unreadable(Errno)
        case writeOnly
        case binary([UInt8])
        /// Too large to compare (a BAR resource file); only its size counts.
        case largeBinary(Int)
    }

    /// Binary attributes up to this size (PCI config space) are compared byte for byte.
    static let comparedBinarySize = 4096

    private(set) var entries: [String: Entry] = [:]

    public init(of root: Directory) {
        walk(root, path: "")
    }

    private mutating func walk(_ directory: Directory, path: String) {
        for child in directory.list() {
            let childPath = path + "/" + child.name
            switch child {
            case let subdirectory as Directory:
                entries[childPath] = .directory
                walk(subdirectory, path: childPath)
            case let link as Symlink:
                entries[childPath] = .link(link.relativeTarget)
            case let attribute as Attribute:
                if attribute.mode & 0o444 == 0 {
                    entries[childPath] = .writeOnly
                } else {
                    do {
                        entries[childPath] = .text(String(decoding: try attribute.read(), as: UTF8.self))
                    } catch {
                        entries[childPath] = .unreadable(error)
                    }
                }
            case let binary as BinaryAttribute:
                if binary.size > TreeSnapshot.comparedBinarySize || binary.mode & 0o444 == 0 {
                    entries[childPath] = .largeBinary(binary.size)
                } else {
                    entries[childPath] = .binary((try? binary.read(offset: 0, count: binary.size)) ?? [])
                }
            default:
                break
            }
        }
    }

    /// What differs from this snapshot in `newer`. A directory that appeared
    /// or vanished is reported once, without what is inside it.
    public func changes(to newer: TreeSnapshot) -> TreeChanges {
        var changes = TreeChanges()
        let appeared = Set(newer.entries.keys).subtracting(entries.keys)
        let vanished = Set(entries.keys).subtracting(newer.entries.keys)
        for path in appeared.sorted() where !appeared.contains(parentPath(path)) {
            changes.appeared.append(.init(path: path, detail: newer.entries[path]?.summary(isNew: true) ?? ""))
        }
        for path in vanished.sorted() where !vanished.contains(parentPath(path)) {
            changes.vanished.append(.init(path: path, detail: entries[path]?.summary(isNew: false) ?? ""))
        }
        for (path, old) in entries.sorted(by: { $0.key < $1.key }) {
            guard let new = newer.entries[path], new != old else { continue }
            let (before, after) = TreeSnapshot.rendered(old, new)
            changes.changed.append(.init(path: path, old: before, new: after))
        }
        return changes
    }

    /// Both values on one line each; long ones are cut around where they differ,
    /// so a changed version inside a long JSON object still shows.
    static func rendered(_ old: Entry, _ new: Entry) -> (String, String) {
        guard case .text(let before) = old, case .text(let after) = new else { return (old.rendered, new.rendered) }
        let (a, b) = (Array(before.oneLineValue), Array(after.oneLineValue))
        guard a.count > 120 || b.count > 120 else { return (String(a), String(b)) }
        var prefix = 0
        while prefix < min(a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(a.count, b.count) - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let start = max(0, prefix - 30)
        func window(_ text: [Character]) -> String {
            let end = min(text.count, max(text.count - suffix, prefix) + 30, start + 120)
            return (start > 0 ? "..." : "") + String(text[start..<end]) + (end < text.count ? "..." : "")
        }
        return (window(a), window(b))
    }

    private func parentPath(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}

/// The differences between two snapshots of a tree.
public struct TreeChanges: Sendable, Equatable {
    public struct Presence: Sendable, Equatable {
        public let path: String
        /// `/` for a directory, ` -> target` for a link, empty otherwise.
        public let detail: String
    }

    public struct Change: Sendable, Equatable {
        public let path: String
        public let old: String
        public let new: String
    }

    public var appeared: [Presence] = []
    public var vanished: [Presence] = []
    public var changed: [Change] = []

    public var isEmpty: Bool { appeared.isEmpty && vanished.isEmpty && changed.isEmpty }

    /// One line per change: `+ path/`, `- path -> target`, `~ path: old -> new`; `prefix` names the host.
    public func lines(prefix: String = "") -> [String] {
        appeared.map { prefix + "+ " + $0.path + $0.detail }
            + vanished.map { prefix + "- " + $0.path + $0.detail }
            + changed.map { prefix + "~ " + $0.path + ": " + $0.old + " -> " + $0.new }
    }
}

extension TreeSnapshot.Entry {
    func summary(isNew: Bool) -> String {
        switch self {
        case .directory: return "/"
        case .link(let target): return " -> " + target
        default: return ""
        }
    }

    /// A one-line rendering for `~` lines, at most 120 characters.
    var rendered: String {
        let text: String
        switch self {
        case .directory: text = "(directory)"
        case .link(let target): text = "-> " + target
        case .text(let value): text = value.oneLineValue
        case .unreadable(let error): text = "(\(error))"
        case .writeOnly: text = "(write-only)"
        case .binary(let bytes): text = "(\(bytes.count) bytes, checksum \(String(fnv1a(bytes) & 0xffff_ffff, radix: 16)))"
        case .largeBinary(let size): text = "(\(size) bytes)"
        }
        let oneLine = text.replacingNewlines
        return oneLine.count > 120 ? String(oneLine.prefix(117)) + "..." : oneLine
    }
}

extension String {
    /// An attribute value without its trailing newline, other newlines as `\n`.
    var oneLineValue: String {
        (hasSuffix("\n") ? String(dropLast()) : self).replacingNewlines
    }

    var replacingNewlines: String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n")
    }
}

/// FNV-1a, 64 bits: a stable, dependency-free hash for names and checksums.
func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}
