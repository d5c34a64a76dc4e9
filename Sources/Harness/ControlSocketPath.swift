#if canImport(Glibc)
import Glibc
#endif

/// Where the control socket and the log of a mount live: a directory private
/// to the mounting user, and file names derived from the mount point.
///
/// The directory is `/run/fakesysfs` for root, else `$XDG_RUNTIME_DIR/fakesysfs`,
/// else `/tmp/fakesysfs-<uid>`; it is created with mode 0700 and refused when
/// someone else owns it or others may enter it. When another user holds
/// `/tmp/fakesysfs-<uid>`, a fresh `/tmp/fakesysfs-<uid>.XXXXXX` of ours is used
/// instead, where clients look too.
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
        directories.append(sharedTemporaryDirectory)
        return directories
    }

    /// `tmp-sys-1a2b3c4d.sock` for `/tmp/sys`: readable, unique per path, short enough for `sun_path`.
    public static func fileName(forMountpoint mountpoint: String) -> String {
        baseName(forMountpoint: mountpoint) + ".sock"
    }

    /// `tmp-sys-1a2b3c4d`: the socket's and the log's name without the suffix.
    static func baseName(forMountpoint mountpoint: String) -> String {
        let hash = String(fnv1a(mountpoint.utf8) & 0xffff_ffff, radix: 16)
        var readable = String(mountpoint.drop { $0 == "/" }.map { character -> Character in
            if character == "/" { return "-" }
            return character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "_")
                ? character : "_"
        })
        if readable.count > 48 { readable = String(readable.suffix(48)) }
        return (readable.isEmpty ? "root" : readable) + "-" + String(repeating: "0", count: 8 - hash.count) + hash
    }

    /// The socket a new server for `mountpoint` binds, creating its private directory.
    public static func forServer(mountpoint: String) throws(Failure) -> String {
        try privateDirectory() + "/" + fileName(forMountpoint: mountpoint)
    }

    /// The log of a new background server for `mountpoint`, in the same private directory.
    public static func logPath(forMountpoint mountpoint: String) throws(Failure) -> String {
        try privateDirectory() + "/" + baseName(forMountpoint: mountpoint) + ".log"
    }

    /// The private directory of this user, created when missing.
    public static func privateDirectory() throws(Failure) -> String {
        var problems: [String] = []
        for directory in candidateDirectories() {
            do {
                try ensurePrivateDirectory(directory)
                return directory
            } catch {
                problems.append(error.description)
            }
        }
        if let existing = temporaryFallbacks().first { return existing }
        var template = Array((sharedTemporaryDirectory + ".XXXXXX").utf8CString)
        if mkdtemp(&template) != nil {
            return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        problems.append("cannot create \(sharedTemporaryDirectory).XXXXXX: \(String(cString: strerror(errno)))")
        throw Failure(description: "no private directory for the control socket: " + problems.joined(separator: "; "))
    }

    /// The socket of a running server for `mountpoint`, if one is found in a
    /// directory that is this user's alone (another user's socket is never used).
    public static func forClient(mountpoint: String) -> String? {
        let name = fileName(forMountpoint: mountpoint)
        for directory in candidateDirectories() + temporaryFallbacks() where isPrivate(directory) {
            let path = directory + "/" + name
            var info = stat()
            if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK { return path }
        }
        return nil
    }

    /// The server at the other end of `fd` must run as this user or as root.
    public static func checkPeer(_ fd: Int32, path: String) throws(Failure) {
        guard let uid = SocketIO.peerUID(fd) else {
            throw Failure(description: "cannot tell who serves \(path): \(String(cString: strerror(errno)))")
        }
        guard uid == getuid() || uid == 0 else {
            throw Failure(description: "\(path) is served by uid \(uid), not by you (uid \(getuid())) or root; not talking to it")
        }
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

    private static var sharedTemporaryDirectory: String { "/tmp/fakesysfs-\(getuid())" }

    private static func isPrivate(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o077 == 0
    }

    /// `/tmp/fakesysfs-<uid>.XXXXXX` directories of this user's, oldest name first.
    private static func temporaryFallbacks() -> [String] {
        guard let directory = opendir("/tmp") else { return [] }
        defer { closedir(directory) }
        let prefix = "fakesysfs-\(getuid())."
        var found: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(prefix) && isPrivate("/tmp/" + name) { found.append("/tmp/" + name) }
        }
        return found.sorted()
    }
}
