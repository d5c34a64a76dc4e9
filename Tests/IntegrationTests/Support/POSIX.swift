import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The system calls a user program makes, one call each, returning the result
/// or the errno the call set. Every descriptor is opened close-on-exec so that
/// no server started by another test inherits it.
enum POSIX {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) -> Result<Int32, Errno> {
        check { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    static func close(_ fd: Int32) -> Result<Int32, Errno> {
        check { Glibc.close(fd) }
    }

    /// One write(2) of all of `bytes`; the count the kernel returned.
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Result<Int, Errno> {
        check { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
    }

    static func write(_ fd: Int32, _ text: String) -> Result<Int, Errno> {
        write(fd, Array(text.utf8))
    }

    /// One read(2) of up to `count` bytes at the file position.
    static func read(_ fd: Int32, count: Int) -> Result<[UInt8], Errno> {
        var buffer = [UInt8](repeating: 0, count: count)
        return check { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) } }
            .map { Array(buffer.prefix($0)) }
    }

    /// One pread(2) of up to `count` bytes at `offset`, as text.
    static func pread(_ fd: Int32, count: Int = 4096, at offset: Int) -> Result<String, Errno> {
        var buffer = [UInt8](repeating: 0, count: count)
        return check { buffer.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, count, offset) } }
            .map { String(decoding: buffer.prefix($0), as: UTF8.self) }
    }

    static func lstat(_ path: String) -> Result<Glibc.stat, Errno> {
        var info = Glibc.stat()
        return check { fstatat(AT_FDCWD, path, &info, AT_SYMLINK_NOFOLLOW) }.map { _ in info }
    }

    static func stat(_ path: String) -> Result<Glibc.stat, Errno> {
        var info = Glibc.stat()
        return check { fstatat(AT_FDCWD, path, &info, 0) }.map { _ in info }
    }

    static func readlink(_ path: String) -> Result<String, Errno> {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        return check { Glibc.readlink(path, &buffer, buffer.count) }
            .map { length in String(cBuffer: buffer.prefix(length)) }
    }

    /// Every entry readdir(3) returns, with its `d_type` (`DT_DIR`, `DT_REG`, `DT_LNK`).
    static func directoryEntries(_ path: String) -> Result<[String: Int32], Errno> {
        guard let directory = opendir(path) else { return .failure(Errno(rawValue: errno)) }
        defer { closedir(directory) }
        var entries: [String: Int32] = [:]
        errno = 0
        while let entry = Glibc.readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            entries[name] = Int32(entry.pointee.d_type)
        }
        return errno == 0 ? .success(entries) : .failure(Errno(rawValue: errno))
    }

    static func truncate(_ path: String, to length: Int) -> Result<Int32, Errno> {
        check { Glibc.truncate(path, off_t(length)) }
    }

    static func mkdir(_ path: String) -> Result<Int32, Errno> {
        check { Glibc.mkdir(path, 0o755) }
    }

    static func unlink(_ path: String) -> Result<Int32, Errno> {
        check { Glibc.unlink(path) }
    }

    /// `cat`: open, read to the end, close.
    static func readFile(_ path: String) -> Result<String, Errno> {
        open(path, O_RDONLY).flatMap { fd in
            defer { _ = close(fd) }
            var bytes: [UInt8] = []
            while true {
                switch read(fd, count: 4096) {
                case .success(let chunk) where chunk.isEmpty: return .success(String(decoding: bytes, as: UTF8.self))
                case .success(let chunk): bytes += chunk
                case .failure(let error): return .failure(error)
                }
            }
        }
    }

    /// `printf %s TEXT > PATH`: open as the shell does, one write(2), close.
    /// The write's count, or the first error of the three calls.
    static func writeFile(_ path: String, _ bytes: [UInt8]) -> Result<Int, Errno> {
        open(path, O_WRONLY | O_CREAT | O_TRUNC).flatMap { fd in
            let written = write(fd, bytes)
            return close(fd).flatMap { _ in written }
        }
    }

    static func writeFile(_ path: String, _ text: String) -> Result<Int, Errno> {
        writeFile(path, Array(text.utf8))
    }

    /// Runs a call that returns -1 and sets errno on failure, retrying on EINTR.
    private static func check<Value: BinaryInteger>(_ call: () -> Value) -> Result<Value, Errno> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            if errno != EINTR { return .failure(Errno(rawValue: errno)) }
        }
    }
}
