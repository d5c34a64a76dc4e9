import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

extension POSIX {
    /// `cat`: open, read to the end, close; the bytes as they came (need not be UTF-8).
    static func readBytes(_ path: String) -> Result<[UInt8], Errno> {
        open(path, O_RDONLY).flatMap { fd in
            defer { _ = close(fd) }
            var bytes: [UInt8] = []
            while true {
                switch read(fd, count: 8192) {
                case .success(let chunk) where chunk.isEmpty: return .success(bytes)
                case .success(let chunk): bytes += chunk
                case .failure(let error): return .failure(error)
                }
            }
        }
    }

    /// The names readdir(3) returns, without `.` and `..`, sorted.
    static func names(_ path: String) -> Result<[String], Errno> {
        directoryEntries(path).map { entries in entries.keys.filter { $0 != "." && $0 != ".." }.sorted() }
    }
}
