import Synchronization

/// One kernfs node: a directory, a text or binary attribute, or a symlink.
///
/// A node's identity (`id`) is never reused, so it doubles as an inode number.
/// Nodes are immutable once built except for `removed`, which flips once when
/// the node (or the subtree it heads) leaves the tree.
public class Node: @unchecked Sendable {
    /// What a node is, as kernfs's `KERNFS_DIR`, `KERNFS_FILE` and `KERNFS_LINK`
    /// (a file being a text or a binary attribute).
    public enum Kind: Sendable {
        case directory, attribute, binaryAttribute, symlink
    }

    public let name: String
    public let id: UInt64
    public let kind: Kind
    /// The permission bits: an attribute's own, 0755 for a directory, 0777 for a link.
    public let mode: UInt16
    public let created: Timestamp
    public private(set) weak var parent: Directory?
    let events: TreeEvents
    private let removedFlag = Atomic<Bool>(false)

    private static let nextID = Atomic<UInt64>(2)

    init(name: String, parent: Directory?, events: TreeEvents, kind: Kind, mode: UInt16, id: UInt64? = nil) {
        self.name = name
        self.kind = kind
        self.mode = mode & 0o777
        self.parent = parent
        self.events = events
        self.id = id ?? Node.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.created = Timestamp.now()
    }

    /// True once this node or one of its ancestors has been removed from the
    /// tree: a removal marks every node built below it, and a directory marks
    /// what joins it afterwards (see `Directory`).
    public var isRemoved: Bool { removedFlag.load(ordering: .acquiring) }

    func markRemoved() { removedFlag.store(true, ordering: .releasing) }

    /// The absolute path below the nearest `/sys` root, e.g. `/bus/pci/devices`.
    public var path: String {
        var components: [String] = []
        var node: Node? = self
        while let current = node, !((current as? Directory)?.isSysfsRoot ?? false), current.parent != nil {
            components.append(current.name)
            node = current.parent
        }
        return "/" + components.reversed().joined(separator: "/")
    }
}

/// Seconds and nanoseconds since the epoch, fixed when a node is built.
public struct Timestamp: Sendable, Equatable, Comparable {
    public let seconds: Int
    public let nanoseconds: Int

    public init(seconds: Int, nanoseconds: Int) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    init(nanosecondsSinceEpoch total: Int) {
        self.init(seconds: total / 1_000_000_000, nanoseconds: total % 1_000_000_000)
    }

    var nanosecondsSinceEpoch: Int { seconds &* 1_000_000_000 &+ nanoseconds }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: spec.tv_sec, nanoseconds: spec.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
