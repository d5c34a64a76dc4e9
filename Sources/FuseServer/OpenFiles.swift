import Support
import SystemPackage
import SysfsTree

/// State kept for one open(2) of an attribute for reading: the last `show`
/// result, which reads past offset 0 are served from, as sysfs's seq_file does.
final class OpenAttribute: Sendable {
    let node: Node
    /// Whether the opener had CAP_SYS_ADMIN, which the kernel checks at open (`file_ns_capable`).
    let privileged: Bool
    private let buffer = Locked<[UInt8]?>(nil)

    init(node: Node, privileged: Bool = true) {
        self.node = node
        self.privileged = privileged
    }

    /// Serves `count` bytes at `offset`; `show` runs again for a read at offset 0.
    func read(offset: Int, count: Int, show: () throws(Errno) -> [UInt8]) throws(Errno) -> ArraySlice<UInt8> {
        try buffer.withLock { cached throws(Errno) -> ArraySlice<UInt8> in
            let content: [UInt8]
            if offset == 0 || cached == nil {
                content = try show()
                cached = content
            } else {
                content = cached ?? []
            }
            guard offset < content.count else { return [] }
            return content[offset..<min(content.count, offset + count)]
        }
    }

    /// A write re-arms `show` for the next read, whatever the offset.
    func invalidate() { buffer.withLock { $0 = nil } }
}

/// An open directory. Its listing is taken by the readdir at offset 0, not
/// by opendir: the kernel may cache what that readdir returns, which must
/// not predate a change it has already been told about. Later offsets
/// continue the same listing, so they stay stable while devices come and go.
final class OpenDirectory: Sendable {
    struct Entry: Sendable {
        let name: String
        let inode: UInt64
        let mode: UInt32
    }

    let directory: Directory
    private let listing = Locked<[Entry]?>(nil)

    init(directory: Directory) { self.directory = directory }

    /// The listing, taken anew when `restart` is true or none was taken yet.
    func entries(restart: Bool, inodes: InodeTable) -> [Entry] {
        listing.withLock { listing in
            if restart || listing == nil { listing = OpenDirectory.list(directory, inodes: inodes) }
            return listing ?? []
        }
    }

    private static func list(_ directory: Directory, inodes: InodeTable) -> [Entry] {
        let children = directory.list()
        var entries: [Entry] = []
        entries.reserveCapacity(children.count + 2)
        let inode = inodes.inode(of: directory)
        let parent = inode == InodeTable.rootInode ? inode : directory.parent.map { inodes.inode(of: $0) } ?? inode
        entries.append(Entry(name: ".", inode: inode, mode: directory.fileType))
        entries.append(Entry(name: "..", inode: parent, mode: directory.fileType))
        for child in children {
            entries.append(Entry(name: child.name, inode: inodes.inode(of: child), mode: child.directoryEntryMode))
        }
        return entries
    }
}
