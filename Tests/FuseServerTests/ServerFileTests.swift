import Support
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The files the server writes cannot be aimed elsewhere by another user:
/// links, FIFOs, devices, other users' files and hard links are refused, and
/// temporaries get exclusive, unpredictable names.
@Suite(.enabled(if: geteuid() == 0 || getenv("CI").map { String(cString: $0) } == "true", "needs root to play the other user"))
struct ServerFileTests {
    /// A fresh directory with `mode` (sticky and world-writable like /tmp, or private).
    final class Directory {
        let path: String

        init(mode: mode_t) throws {
            var template = Array("/tmp/fakesysfs-serverfile.XXXXXX".utf8CString)
            guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp failed") }
            path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            chmod(path, mode)
        }

        func remove() {
            if let directory = opendir(path) {
                while let entry = readdir(directory) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                    }
                    if name != "." && name != ".." { unlink(path + "/" + name) }
                }
                closedir(directory)
            }
            rmdir(path)
        }
    }

    struct TestFailure: Error { let description: String; init(_ d: String) { description = d } }

    static let nobody: uid_t = 65534

    private func contents(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &buffer, buffer.count)
        return count < 0 ? nil : String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    private func create(_ path: String, _ text: String, owner: uid_t? = nil) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        if let owner { chown(path, owner, owner) }
    }

    private func refusal(_ open: () throws(ServerFile.Refusal) -> Int32) -> String? {
        do {
            close(try open())
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aPlantedSymbolicLinkIsNotFollowed() throws {
        let shared = try Directory(mode: 0o1777)
        defer { shared.remove() }
        let victim = shared.path + "/victim"
        create(victim, "precious")
        #expect(symlink(victim, shared.path + "/trace.jsonl") == 0)
        #expect(refusal { () throws(ServerFile.Refusal) in try ServerFile.openForWriting(shared.path + "/trace.jsonl", truncate: true) }
                == "\(shared.path)/trace.jsonl: is a symbolic link; it is not followed")
        #expect(contents(victim) == "precious")
    }

    @Test func fifosAndDevicesAreRefusedWithoutBlocking() throws {
        let shared = try Directory(mode: 0o700)
        defer { shared.remove() }
        #expect(mkfifo(shared.path + "/log", 0o666) == 0)
        let notRegular = "not a regular file (a FIFO, socket, device or directory)"
        #expect(refusal { () throws(ServerFile.Refusal) in try ServerFile.openForWriting(shared.path + "/log", append: true) }
                == "\(shared.path)/log: \(notRegular)")
        #expect(refusal { () throws(ServerFile.Refusal) in try ServerFile.openForWriting("/dev/null") } == "/dev/null: \(notRegular)")
    }

    @Test func anotherUsersFileOrAHardLinkInASharedDirectoryIsRefused() throws {
        let shared = try Directory(mode: 0o1777)
        defer { shared.remove() }
        create(shared.path + "/theirs", "theirs", owner: Self.nobody)
        #expect(refusal { () throws(ServerFile.Refusal) in try ServerFile.openForWriting(shared.path + "/theirs", truncate: true) }
                == "\(shared.path)/theirs: belongs to uid 65534, in a directory other users can write")
        #expect(contents(shared.path + "/theirs") == "theirs")
        create(shared.path + "/mine", "mine")
        #expect(link(shared.path + "/mine", shared.path + "/alias") == 0)
        #expect(refusal { () throws(ServerFile.Refusal) in try ServerFile.openForWriting(shared.path + "/alias", truncate: true) }
                == "\(shared.path)/alias: has other hard links, in a directory other users can write")
        #expect(contents(shared.path + "/mine") == "mine")
        unlink(shared.path + "/alias")
        let fd = try ServerFile.openForWriting(shared.path + "/mine", truncate: true)
        close(fd)
        #expect(contents(shared.path + "/mine") == "")
    }

    @Test func aDirectoryOthersMayWriteIsRefusedUnlessSticky() throws {
        let open = try Directory(mode: 0o777)
        defer { open.remove() }
        #expect(refusal { () throws(ServerFile.Refusal) in try ServerFile.openForWriting(open.path + "/state.json") }
                == "\(open.path)/state.json: other users can write its directory \(open.path), which is not sticky; use a private directory")
        let theirs = try Directory(mode: 0o755)
        defer { theirs.remove() }
        chown(theirs.path, Self.nobody, Self.nobody)
        #expect(refusal { () throws(ServerFile.Refusal) in try ServerFile.openForWriting(theirs.path + "/state.json") }
                == "\(theirs.path)/state.json: other users can write its directory \(theirs.path), which is not sticky; use a private directory")
    }

    @Test func temporariesAreExclusiveAndUnpredictable() throws {
        let shared = try Directory(mode: 0o1777)
        defer { shared.remove() }
        let first = try ServerFile.createTemporary(beside: shared.path + "/state.json")
        let second = try ServerFile.createTemporary(beside: shared.path + "/state.json")
        close(first.fd)
        close(second.fd)
        #expect(first.path != second.path)
        #expect(first.path.hasPrefix(shared.path + "/.state.json."))
        #expect(first.path.hasSuffix(".tmp"))
        var info = stat()
        #expect(lstat(first.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }
}
