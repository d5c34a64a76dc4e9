import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// What stat(2) reports for a node, following kernfs: text attributes are
/// PAGE_SIZE long, binary ones their own size, directories and links 0;
/// directories have `subdirectories + 2` links; times are fixed at creation,
/// except that a directory's modification and change times follow its entries.
extension Node {
    var fileType: UInt32 {
        switch kind {
        case .directory: return UInt32(S_IFDIR)
        case .symlink: return UInt32(S_IFLNK)
        case .attribute, .binaryAttribute: return UInt32(S_IFREG)
        }
    }

    var reportedSize: Int {
        switch kind {
        case .attribute: return Attribute.pageSize
        case .binaryAttribute: return (self as? BinaryAttribute)?.size ?? 0
        case .directory, .symlink: return 0
        }
    }

    var canRead: Bool { kind == .directory || kind == .symlink || mode & 0o444 != 0 }

    var canWrite: Bool { (kind == .attribute || kind == .binaryAttribute) && mode & 0o222 != 0 }

    func statBuffer(inode: UInt64) -> stat {
        var buffer = stat()
        buffer.st_ino = UInt(truncatingIfNeeded: inode)
        buffer.st_mode = fileType | UInt32(mode)
        var modified = created
        if kind == .directory, let directory = self as? Directory {
            let status = directory.status
            buffer.st_nlink = UInt(truncatingIfNeeded: status.subdirectoryCount + 2)
            modified = status.modified
        } else {
            buffer.st_nlink = 1
        }
        buffer.st_size = reportedSize
        buffer.st_blksize = 4096
        buffer.st_blocks = 0
        buffer.st_atim = timespec(tv_sec: created.seconds, tv_nsec: created.nanoseconds)
        buffer.st_mtim = timespec(tv_sec: modified.seconds, tv_nsec: modified.nanoseconds)
        buffer.st_ctim = buffer.st_mtim
        return buffer
    }

    /// The `d_type` readdir reports.
    var directoryEntryMode: UInt32 { fileType }
}
