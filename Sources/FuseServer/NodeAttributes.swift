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
        switch self {
        case is Directory: return UInt32(S_IFDIR)
        case is Symlink: return UInt32(S_IFLNK)
        default: return UInt32(S_IFREG)
        }
    }

    var permissions: UInt32 {
        switch self {
        case let attribute as Attribute: return UInt32(attribute.mode)
        case let binary as BinaryAttribute: return UInt32(binary.mode)
        case is Symlink: return 0o777
        default: return 0o755
        }
    }

    var reportedSize: Int {
        switch self {
        case is Attribute: return Attribute.pageSize
        case let binary as BinaryAttribute: return binary.size
        default: return 0
        }
    }

    var canRead: Bool {
        switch self {
        case let attribute as Attribute: return attribute.mode & 0o444 != 0
        case let binary as BinaryAttribute: return binary.mode & 0o444 != 0
        default: return true
        }
    }

    var canWrite: Bool {
        switch self {
        case let attribute as Attribute: return attribute.mode & 0o222 != 0
        case let binary as BinaryAttribute: return binary.mode & 0o222 != 0
        default: return false
        }
    }

    func statBuffer() -> stat {
        var buffer = stat()
        buffer.st_ino = UInt(truncatingIfNeeded: id)
        buffer.st_mode = fileType | permissions
        var modified = created
        if let directory = self as? Directory {
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
