import FoundationEssentials
import KernelCore
import Scenario
import Support
#if canImport(Glibc)
import Glibc
#endif

/// `mount --state FILE`: the host's runtime state as JSON, replaced
/// atomically (temporary file, fsync, rename, fsync of the directory) after
/// every change, and put back at the next mount through the ordinary stores.
struct StateFile {
    let path: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// What a change that could not be saved is refused with.
        let errno: Int32
        init(_ description: String, errno: Int32 = EIO) {
            self.description = description
            self.errno = errno
        }
    }

    /// One host keeps its state in `path`; each of several hosts in `path.<host name>`.
    /// A fleet's host that is not built yet and has no file stays unbuilt: it is in
    /// the state its scenario declares; its file is locked when it is built and
    /// written at its first change.
    static func attach(path: String, to hosts: [ScenarioHost]) throws(Failure) {
        for handle in hosts {
            let file = StateFile(path: hosts.count == 1 ? path : path + "." + handle.name)
            if handle.builtHost != nil || access(file.path, F_OK) == 0 {
                try file.attach(to: handle.host)
            } else {
                handle.whenBuilt { host in
                    do throws(Failure) {
                        try file.lock()
                        file.observe(host)
                    } catch {
                        Log.write("\(host.name): \(error.description)")
                    }
                }
            }
        }
    }

    /// Restores what `path` holds (if it exists), then keeps it up to date. The
    /// file is locked for as long as this process lives: one server per state file.
    func attach(to host: Host) throws(Failure) {
        try lock()
        if let saved = try load() {
            let problems = host.restore(saved)
            guard problems.isEmpty else {
                throw Failure("cannot restore \(path): \(problems.joined(separator: "; ")) (remove the file to start afresh)")
            }
            Log.write("restored \(saved.mdevs.count) mdevs and the VFs of \(saved.physicalFunctions.count) PFs from \(path)")
        }
        try save(host.persistentState())
        observe(host)
    }

    /// Saves the host's state after every change.
    func observe(_ host: Host) {
        host.observeState { state in
            do throws(Failure) {
                try save(state)
            } catch {
                Log.write(error.description)
            }
        }
    }

    /// The saved state, or nil when there is no file yet.
    func load() throws(Failure) -> PersistentState? {
        let opened: Int32?
        do throws(ServerFile.Refusal) {
            opened = try ServerFile.openForReading(path)
        } catch {
            throw Failure("cannot read the state: \(error.description)")
        }
        guard let fd = opened else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw Failure("cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes += buffer.prefix(count)
        }
        do {
            return try JSONDecoder().decode(PersistentState.self, from: Data(bytes))
        } catch {
            throw Failure("\(path) is not a fakesysfs state file: \(error)")
        }
    }

    func save(_ state: PersistentState) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(state) } catch { throw Failure("cannot encode the state: \(error)") }
        let temporary: (fd: Int32, path: String)
        do throws(ServerFile.Refusal) {
            temporary = try ServerFile.createTemporary(beside: path)
        } catch {
            throw Failure("cannot save the state: \(error.description)", errno: error.errno)
        }
        var problem: Int32 = 0
        let complete = data.withUnsafeBytes { raw -> Bool in
            var written = 0
            while written < raw.count {
                let count = Glibc.write(temporary.fd, raw.baseAddress.map { $0 + written }, raw.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    problem = count < 0 ? errno : ENOSPC
                    return false
                }
                written += count
            }
            return true
        }
        if complete && fsync(temporary.fd) != 0 { problem = errno }
        close(temporary.fd)
        if problem == 0 && rename(temporary.path, path) != 0 { problem = errno }
        guard problem == 0 else {
            unlink(temporary.path)
            throw Failure("cannot save the state to \(path): \(String(cString: strerror(problem)))", errno: problem)
        }
        syncDirectory()
    }

    /// Holds an exclusive lock on `.NAME.lock` beside the file until the process ends.
    func lock() throws(Failure) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let lockPath = directory + "/." + name + ".lock"
        let fd: Int32
        do throws(ServerFile.Refusal) {
            fd = try ServerFile.openForWriting(lockPath)
        } catch {
            throw Failure("cannot lock the state: \(error.description)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            close(fd)
            if error == EWOULDBLOCK {
                throw Failure("\(path) is in use by another fakesysfs server (\(lockPath) is locked); give each mount its own --state")
            }
            throw Failure("cannot lock \(lockPath): \(String(cString: strerror(error)))")
        }
        // Deliberately kept open: the lock lasts as long as the server.
    }

    /// Makes the rename itself durable.
    private func syncDirectory() {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
