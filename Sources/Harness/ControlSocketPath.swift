#if canImport(Glibc)
import Glibc
#endif

/// Where the control socket of a mount lives: a directory private to the
/// mounting user, and a file name derived from the mount point.
///
/// The directory is `/run/fakesysfs` for root, else `$XDG_RUNTIME_DIR/fakesysfs`,
/// else `/tmp/fakesysfs-<uid>`; it is created with mode 0700 and refused when
/// someone else owns it or others may enter it.
public enum ControlSocketPath {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The directories to look in, the one a new server uses first.
    public static func candidateDirectories() -> [String] {
        var directories: [String] = []
        if getuid() == 0 { directories.append("/run/fakesysfs") }
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), runtime.hasPrefix("/") {
            directories.append(runtime + "/fakesysfs")
        }
        directories.append("/tmp/fakesysfs-\(getuid())")
        return directories
    }

    /// `tmp-sys-1a2b3c4d.sock` for `/tmp/sys`: readable, unique per path, short enough for `sun_path`.
    public static func fileName(forMountpoint mountpoint: String) -> String {
        let hash = String(fnv1a(mountpoint.utf8) & 0xffff_ffff, radix: 16)
        var readable = String(mountpoint.drop { $0 == "/" }.map { character -> Character in
            if character == "/" { return "-" }
            return character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "_")
                ? character : "_"
        })
        if readable.count > 48 { readable = String(readable.suffix(48)) }
        return (readable.isEmpty ? "root" : readable) + "-" + String(repeating: "0", count: 8 - hash.count) + hash + ".sock"
    }

    /// The socket a new server for `mountpoint` binds, creating its private directory.
    public static func forServer(mountpoint: String) throws(Failure) -> String {
        var problems: [String] = []
        for directory in candidateDirectories() {
            do {
                try ensurePrivateDirectory(directory)
                return directory + "/" + fileName(forMountpoint: mountpoint)
            } catch {
                problems.append(error.description)
            }
        }
        throw Failure(description: "no private directory for the control socket: " + problems.joined(separator: "; "))
    }

    /// The socket of a running server for `mountpoint`, if one is found.
    public static func forClient(mountpoint: String) -> String? {
        let name = fileName(forMountpoint: mountpoint)
        for directory in candidateDirectories() {
            let path = directory + "/" + name
            var info = stat()
            if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK { return path }
        }
        return nil
    }

    static func ensurePrivateDirectory(_ path: String) throws(Failure) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw Failure(description: "cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw Failure(description: "\(path) is not a directory") }
        guard info.st_uid == getuid() else { throw Failure(description: "\(path) belongs to uid \(info.st_uid), not \(getuid())") }
        guard info.st_mode & 0o077 == 0 else {
            throw Failure(description: "\(path) is open to other users (mode \(String(info.st_mode & 0o777, radix: 8)))")
        }
    }
}
