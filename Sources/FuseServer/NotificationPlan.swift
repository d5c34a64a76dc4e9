import SysfsTree

/// What to tell the kernel after some tree changes, worked out from the
/// changes and what the kernel is known to hold, without telling it.
///
/// 1. A change in a directory the kernel does not know needs no notice.
/// 2. A node that went away and that the kernel knows is reported deleted,
///    with what the kernel knows below it first (deepest first), so the
///    kernel drops those inodes and forgets them at once.
/// 3. Any other changed name is invalidated; the inode stays cached (and
///    pinned in the inode table) until memory pressure.
/// 4. Every changed directory loses its cached attributes and listing.
/// 5. Deletions that would take the lock of the file whose write is being
///    served must wait until after the reply (waiting for that lock before
///    replying would deadlock). The name that heads them is invalidated at
///    once, which takes only its directory's lock, so no path through it
///    outlives the reply.
struct NotificationPlan: Equatable {
    enum Notice: Equatable {
        /// `fuse_lowlevel_notify_inval_entry`.
        case invalidateName(parent: UInt64, name: String)
        /// `fuse_lowlevel_notify_delete`, or the name invalidated if the kernel cannot delete it.
        case delete(InodeTable.Name)
        /// `fuse_lowlevel_notify_inval_inode` of attributes and listing.
        case invalidateDirectory(UInt64)
    }

    var beforeReply: [Notice] = []
    var afterReply: [Notice] = []

    /// The plan for `changes` (oldest first) against `inodes`, for a write to `written` if any.
    init(_ changes: [TreeEvents.Change], inodes: InodeTable, writing written: Node? = nil) {
        var changedDirectories: [UInt64] = []
        let writtenInode = written.map { inodes.inode(of: $0) }
        for change in changes {
            let parent = inodes.inode(ofNodeID: change.parent)
            guard inodes.isKnown(parent) else { continue }
            if !changedDirectories.contains(parent) { changedDirectories.append(parent) }
            if let removed = change.child.map({ inodes.inode(ofNodeID: $0) }), inodes.isKnown(removed) {
                let names = inodes.namesToDelete(removed, name: change.name, in: parent)
                if let writtenInode, names.contains(where: { $0.child == writtenInode }) {
                    if let head = names.last { beforeReply.append(.invalidateName(parent: head.parent, name: head.name)) }
                    afterReply += names.map(Notice.delete)
                } else {
                    beforeReply += names.map(Notice.delete)
                }
                continue
            }
            beforeReply.append(.invalidateName(parent: parent, name: change.name))
        }
        beforeReply += changedDirectories.map(Notice.invalidateDirectory)
    }
}
