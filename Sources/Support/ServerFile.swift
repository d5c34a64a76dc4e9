#if canImport(Glibc)
import Glibc
#endif

/// Opens the files the server writes (trace, state, log) so that another
/// user cannot aim them elsewhere: links are never followed, only regular
/// files are used (a FIFO would block, a device would take the bytes), and a
/// directory other users may write is used only when it is sticky, for a file
/// created here or owned by this user with no other name.
public enum ServerFile {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
        /// The errno behind the refusal, EACCES for a refusal of policy.
        public let errno: Int32
    }

    /// `path` opened for writing (and appending, with `append`), created 0600 when missing,
    /// emptied with `truncate` only once it is known to be ours.
    public static func openForWriting(_ path: String, append: Bool = false, truncate: Bool = false) throws(Refusal) -> Int32 {
        let place = try Place(path)
        defer { close(place.directory) }
        let flags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (append ? O_APPEND : 0)
        var fd: Int32 = -1
        if let existing = place.existing() {
            try check(existing, of: path, in: place)
            fd = openat(place.directory, place.name, flags)
        } else {
            fd = openat(place.directory, place.name, flags | O_CREAT | O_EXCL, 0o600)
        }
        guard fd >= 0 else { throw refusal(path, errno) }
        do throws(Refusal) {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw refusal(path, errno) }
            try check(info, of: path, in: place)
            if truncate && ftruncate(fd, 0) != 0 { throw refusal(path, errno) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// `path` opened for reading, or nil when it does not exist; the same rules as for writing.
    public static func openForReading(_ path: String) throws(Refusal) -> Int32? {
        let place = try Place(path)
        defer { close(place.directory) }
        guard place.existing() != nil else { return nil }
        let fd = openat(place.directory, place.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw refusal(path, errno)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw refusal(path, errno)
        }
        do throws(Refusal) {
            try check(info, of: path, in: place)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A new, empty file in `path`'s directory with a name no one can predict
    /// (`.NAME.<random>.tmp`), created exclusively: for writing a replacement of `path` and renaming it over.
    public static func createTemporary(beside path: String) throws(Refusal) -> (fd: Int32, path: String) {
        let place = try Place(path)
        defer { close(place.directory) }
        for _ in 0..<8 {
            let name = "." + place.name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
            let fd = openat(place.directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0o600)
            if fd >= 0 { return (fd, place.directoryPath + "/" + name) }
            guard errno == EEXIST else { throw refusal(place.directoryPath + "/" + name, errno) }
        }
        throw Refusal(description: "cannot create a temporary file beside \(path): \(String(cString: strerror(EEXIST)))",
                      errno: EEXIST)
    }

    /// The directory a file is in (opened, not followed past), and whether others may write it.
    private struct Place {
        let directory: Int32
        let directoryPath: String
        let name: String
        /// Others may add, remove or rename entries.
        let shared: Bool
        let sticky: Bool

        init(_ path: String) throws(Refusal) {
            let slash = path.lastIndex(of: "/")
            let parent = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            directoryPath = parent
            guard !name.isEmpty, name != ".", name != ".." else {
                throw Refusal(description: "\(path): not a file name", errno: EISDIR)
            }
            directory = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard directory >= 0 else { throw refusal(path, errno) }
            var info = stat()
            guard fstat(directory, &info) == 0 else {
                let error = errno
                close(directory)
                throw refusal(path, error)
            }
            shared = (info.st_uid != geteuid() && info.st_uid != 0) || info.st_mode & 0o022 != 0
            sticky = info.st_mode & S_ISVTX != 0
            if shared && !sticky {
                close(directory)
                throw Refusal(description: "\(path): other users can write its directory \(parent), which is not sticky;"
                                         + " use a private directory", errno: EACCES)
            }
        }

        func existing() -> stat? {
            var info = stat()
            return fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
        }
    }

    private static func check(_ info: stat, of path: String, in place: Place) throws(Refusal) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw Refusal(description: "\(path): is a symbolic link; it is not followed", errno: ELOOP)
        default: throw Refusal(description: "\(path): not a regular file (a FIFO, socket, device or directory)", errno: EINVAL)
        }
        guard place.shared else { return }
        guard info.st_uid == geteuid() else {
            throw Refusal(description: "\(path): belongs to uid \(info.st_uid), in a directory other users can write",
                          errno: EACCES)
        }
        guard info.st_nlink == 1 else {
            throw Refusal(description: "\(path): has other hard links, in a directory other users can write", errno: EACCES)
        }
    }

    private static func refusal(_ path: String, _ error: Int32) -> Refusal {
        if error == ELOOP { return Refusal(description: "\(path): is a symbolic link; it is not followed", errno: ELOOP) }
        if error == ENXIO { return Refusal(description: "\(path): not a regular file (a FIFO, socket, device or directory)", errno: EINVAL) }
        return Refusal(description: "\(path): \(String(cString: strerror(error)))", errno: error)
    }
}
