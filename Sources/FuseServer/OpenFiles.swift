import SysfsTree

/// State kept for one open(2) of an attribute: the last `show` result, which
/// reads past offset 0 are served from, as sysfs's seq_file does.
final class OpenAttribute: Sendable {
    let node: Node
    private let buffer = Locked<[UInt8]?>(nil)

    init(node: Node) { self.node = node }

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

/// A directory listing taken at opendir, so readdir offsets stay stable while
/// devices come and go.
final class OpenDirectory: Sendable {
    struct Entry: Sendable {
        let name: String
        let inode: UInt64
        let mode: UInt32
    }

    let directory: Directory
    let entries: [Entry]

    init(directory: Directory, entries: [Entry]) {
        self.directory = directory
        self.entries = entries
    }
}

import SystemPackage
