#if canImport(Glibc)
import Glibc
#endif

/// Checks that a directory can take a fakesysfs mount, with one-line reasons.
enum MountPoint {
    /// A mount point ready for the server, and the directories made for it
    /// (missing ones are created as `mkdir -p` would), to take away again if the mount fails.
    struct Prepared {
        let path: String
        let created: [String]

        func removeCreated() {
            for directory in created.reversed() { rmdir(directory) }
        }
    }

    static func prepare(_ path: String) throws -> Prepared {
        var info = stat()
        if stat(path, &info) == 0 || errno != ENOENT {
            return Prepared(path: try validate(path), created: [])
        }
        let created = try makeDirectories(path)
        do {
            return Prepared(path: try validate(path), created: created)
        } catch {
            Prepared(path: path, created: created).removeCreated()
            throw error
        }
    }

    /// `mkdir -p`, returning the directories it made, outermost first.
    private static func makeDirectories(_ path: String) throws -> [String] {
        var missing: [String] = []
        var current = path
        var info = stat()
        while !current.isEmpty, current != "/", stat(current, &info) != 0, errno == ENOENT {
            missing.append(current)
            guard let slash = current.lastIndex(of: "/") else { break }
            current = String(current[..<slash])
        }
        var created: [String] = []
        for directory in missing.reversed() {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
                let reason = String(cString: strerror(errno))
                Prepared(path: path, created: created).removeCreated()
                throw CommandFailure("cannot create \(directory): \(reason)")
            }
            created.append(directory)
        }
        return created
    }

    static func validate(_ path: String) throws -> String {
        guard access("/dev/fuse", R_OK | W_OK) == 0 else {
            throw CommandFailure("/dev/fuse is missing or not accessible: load the fuse module (modprobe fuse)")
        }
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOTCONN {
                throw CommandFailure("\(path) is a dead FUSE mount: run `fakesysfs unmount \(path)` first")
            }
            throw CommandFailure("\(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw CommandFailure("\(path) is not a directory") }
        guard let resolved = realpath(path, nil) else { throw CommandFailure("cannot resolve \(path)") }
        defer { free(resolved) }
        let absolute = String(cString: resolved)
        if absolute == "/sys" {
            switch mountNamespace {
            case .private: break
            case .initial:
                throw CommandFailure("refusing to mount over the real /sys outside a private mount namespace")
            case .unknown(let reason):
                throw CommandFailure("refusing to mount over /sys: cannot tell whether this mount namespace is private (\(reason))")
            }
        }
        if isMountPoint(absolute) {
            throw CommandFailure("\(absolute) is already a mount point: unmount it first")
        }
        if !isEmptyDirectory(absolute) {
            throw CommandFailure("\(absolute) is not empty: give an empty directory")
        }
        return absolute
    }

    /// True when `path` appears as a mount point in this namespace.
    static func isMountPoint(_ path: String) -> Bool {
        mountPoints().contains(path)
    }

    static func mountPoints() -> [String] {
        mountEntries().map(\.point)
    }

    struct Entry {
        let point: String
        /// e.g. `fuse.fakesysfs`.
        let type: String
        /// The mount's source, e.g. `fakesysfs:/path/to/scenario.yaml`.
        let source: String
    }

    /// /proc/self/mountinfo: the mount point is field 5; type and source follow the ` - ` separator.
    static func mountEntries() -> [Entry] {
        guard let file = fopen("/proc/self/mountinfo", "r") else { return [] }
        defer { fclose(file) }
        var entries: [Entry] = []
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let fields = String(cString: line).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count > 4 else { continue }
            let separator = fields.firstIndex(of: "-") ?? fields.endIndex
            let type = separator + 1 < fields.count ? String(fields[separator + 1]) : ""
            let source = separator + 2 < fields.count ? unescape(String(fields[separator + 2])) : ""
            entries.append(Entry(point: unescape(String(fields[4])), type: type, source: source))
        }
        free(line)
        return entries
    }

    private static func isEmptyDirectory(_ path: String) -> Bool {
        guard let directory = opendir(path) else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { return false }
        }
        return true
    }

    /// mountinfo escapes space, tab, newline and backslash as octal.
    private static func unescape(_ field: String) -> String {
        var result = ""
        var characters = Substring(field)
        while let character = characters.first {
            if character == "\\", characters.count >= 4,
               let code = UInt8(characters.dropFirst().prefix(3), radix: 8) {
                result.append(Character(Unicode.Scalar(code)))
                characters = characters.dropFirst(4)
            } else {
                result.append(character)
                characters = characters.dropFirst()
            }
        }
        return result
    }

    enum MountNamespace: Equatable {
        case initial, `private`
        /// PID 1's namespace cannot be looked at (e.g. no right to inspect PID 1).
        case unknown(String)
    }

    /// A namespace made by `unshare --mount` differs from PID 1's.
    static var mountNamespace: MountNamespace {
        var own = stat(), initial = stat()
        guard stat("/proc/self/ns/mnt", &own) == 0 else {
            return .unknown("/proc/self/ns/mnt: \(String(cString: strerror(errno)))")
        }
        guard stat("/proc/1/ns/mnt", &initial) == 0 else {
            return .unknown("/proc/1/ns/mnt: \(String(cString: strerror(errno)))")
        }
        return own.st_ino != initial.st_ino ? .private : .initial
    }
}
