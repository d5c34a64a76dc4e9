import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A tree on disk: a fakesysfs mount or the real `/sys`.
public struct FileAccess: SysfsAccess {
    public init() {}

    public func read(_ path: String) -> Result<String, Errno> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(Errno(rawValue: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(rawValue: errno))
            }
            if count == 0 { break }
            bytes += buffer.prefix(count)
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    public func write(_ path: String, _ text: String) -> Result<Int, Errno> {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return .failure(Errno(rawValue: errno)) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        while true {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            return count < 0 ? .failure(Errno(rawValue: errno)) : .success(count)
        }
    }

    public func list(_ path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
