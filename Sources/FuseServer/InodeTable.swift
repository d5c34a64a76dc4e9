import SysfsTree

/// The nodes the kernel currently holds references to, by inode number, with
/// their lookup counts (FUSE's `nlookup`). A node's inode number is its
/// never-reused `id`, so an entry is dropped when the kernel forgets it.
final class InodeTable: Sendable {
    private struct Entry {
        let node: Node
        var lookups: UInt64
    }

    private let entries: Locked<[UInt64: Entry]>
    static let rootInode: UInt64 = 1

    init(root: Directory) {
        entries = Locked([InodeTable.rootInode: Entry(node: root, lookups: 1)])
    }

    func node(_ inode: UInt64) -> Node? {
        entries.withLock { $0[inode]?.node }
    }

    func isKnown(_ inode: UInt64) -> Bool {
        entries.withLock { $0[inode] != nil }
    }

    /// Records one more kernel reference, as a successful lookup reply makes.
    func remember(_ node: Node) {
        entries.withLock { table in
            table[node.id, default: Entry(node: node, lookups: 0)].lookups &+= 1
        }
    }

    func forget(_ inode: UInt64, lookups: UInt64) {
        guard inode != InodeTable.rootInode else { return }
        entries.withLock { table in
            guard var entry = table[inode] else { return }
            entry.lookups = entry.lookups > lookups ? entry.lookups - lookups : 0
            table[inode] = entry.lookups == 0 ? nil : entry
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
