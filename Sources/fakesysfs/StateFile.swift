import FoundationEssentials
import KernelCore
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
        init(_ description: String) { self.description = description }
    }

    /// One host keeps its state in `path`; each of several hosts in `path.<host name>`.
    static func attach(path: String, to hosts: [Host]) throws(Failure) {
        for host in hosts {
            try StateFile(path: hosts.count == 1 ? path : path + "." + host.name).attach(to: host)
        }
    }

    /// Restores what `path` holds (if it exists), then keeps it up to date.
    func attach(to host: Host) throws(Failure) {
        if let saved = try load() {
            let problems = host.restore(saved)
            guard problems.isEmpty else {
                throw Failure("cannot restore \(path): \(problems.joined(separator: "; ")) (remove the file to start afresh)")
            }
            Log.write("restored \(saved.mdevs.count) mdevs and the VFs of \(saved.physicalFunctions.count) PFs from \(path)")
        }
        try save(host.persistentState())
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
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Failure("cannot read \(path): \(String(cString: strerror(errno)))")
        }
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
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("cannot save the state to \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let complete = data.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let count = Glibc.write(fd, raw.baseAddress.map { $0 + written }, raw.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                written += count
            }
            return true
        }
        let synced = complete && fsync(fd) == 0
        let problem = String(cString: strerror(errno))
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure("cannot save the state to \(path): \(problem)")
        }
        syncDirectory()
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
