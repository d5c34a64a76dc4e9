import Support
import SysfsTree

/// The nodes the kernel currently holds references to, by inode number, with
/// their lookup counts (FUSE's `nlookup`), and which of them the kernel
/// knows below which directory. A node's inode number is its never-reused
/// `id`, except that the served root is FUSE's root inode (whatever its id)
/// and a node with that id takes the root's id instead; so an entry is
/// dropped when the kernel forgets it.
final class InodeTable: Sendable {
    private struct Entry {
        let node: Node
        let parent: UInt64?
        var lookups: UInt64
    }

    private struct Table {
        var entries: [UInt64: Entry]
        var children: [UInt64: Set<UInt64>] = [:]
    }

    /// A name the kernel may still have cached: `name` in directory `parent` is inode `child`.
    struct Name: Equatable {
        let parent: UInt64
        let child: UInt64
        let name: String
    }

    private let table: Locked<Table>
    /// FUSE_ROOT_ID.
    static let rootInode: UInt64 = 1
    private let rootID: UInt64

    init(root: Directory) {
        rootID = root.id
        table = Locked(Table(entries: [InodeTable.rootInode: Entry(node: root, parent: nil, lookups: 1)]))
    }

    /// The inode number of the node with `id`: the two ids are swapped, so the mapping is its own inverse.
    func inode(ofNodeID id: UInt64) -> UInt64 {
        if id == rootID { return InodeTable.rootInode }
        if id == InodeTable.rootInode { return rootID }
        return id
    }

    func inode(of node: Node) -> UInt64 { inode(ofNodeID: node.id) }

    func node(_ inode: UInt64) -> Node? {
        table.withLock { $0.entries[inode]?.node }
    }

    func isKnown(_ inode: UInt64) -> Bool {
        table.withLock { $0.entries[inode] != nil }
    }

    /// Records one more kernel reference, as a successful lookup reply makes.
    func remember(_ node: Node) {
        let inode = inode(of: node)
        let parent = node.parent.map { self.inode(of: $0) }
        table.withLock { table in
            if var entry = table.entries[inode] {
                entry.lookups &+= 1
                table.entries[inode] = entry
                return
            }
            table.entries[inode] = Entry(node: node, parent: parent, lookups: 1)
            if let parent { table.children[parent, default: []].insert(inode) }
        }
    }

    func forget(_ inode: UInt64, lookups: UInt64) {
        guard inode != InodeTable.rootInode else { return }
        table.withLock { table in
            guard var entry = table.entries[inode] else { return }
            entry.lookups = entry.lookups > lookups ? entry.lookups - lookups : 0
            guard entry.lookups == 0 else {
                table.entries[inode] = entry
                return
            }
            table.entries[inode] = nil
            if let parent = entry.parent {
                table.children[parent]?.remove(inode)
                if table.children[parent]?.isEmpty == true { table.children[parent] = nil }
            }
        }
    }

    /// The names the kernel knows below `inode`, deepest first, ending with
    /// `inode` itself as `name` in `parent`: the order in which to report them deleted.
    func namesToDelete(_ inode: UInt64, name: String, in parent: UInt64) -> [Name] {
        table.withLock { table in
            var names: [Name] = []
            func visit(_ inode: UInt64, name: String, parent: UInt64, depth: Int) {
                if depth < 64 {
                    for child in table.children[inode] ?? [] {
                        guard let entry = table.entries[child] else { continue }
                        visit(child, name: entry.node.name, parent: inode, depth: depth + 1)
                    }
                }
                names.append(Name(parent: parent, child: inode, name: name))
            }
            visit(inode, name: name, parent: parent, depth: 0)
            return names
        }
    }

    /// Every name and every inode the kernel holds.
    func everything() -> (names: [Name], inodes: [UInt64]) {
        table.withLock { table in
            let names = table.entries.compactMap { inode, entry in
                entry.parent.map { Name(parent: $0, child: inode, name: entry.node.name) }
            }
            return (names, Array(table.entries.keys))
        }
    }

    var count: Int { table.withLock { $0.entries.count } }
}
