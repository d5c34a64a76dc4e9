#if canImport(Glibc)
import Glibc
#endif

/// The names in the directory at `path` (with `.` and `..`), from one
/// readdir pass; empty when it cannot be opened.
public func directoryEntryNames(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        names.append(withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        })
    }
    return names
}

/// This process's open file descriptors, from /proc/self/fd. The listing's own
/// descriptor is among them and closed by the time this returns, so closing
/// it again (in a child, before exec) is harmless.
public func openDescriptors() -> [Int32] {
    directoryEntryNames("/proc/self/fd").compactMap { Int32($0) }
}
