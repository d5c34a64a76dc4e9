#if canImport(Glibc)
import Glibc
#endif

/// This process's open file descriptors, from /proc/self/fd. The listing's own
/// descriptor is among them and closed by the time this returns, so closing
/// it again (in a child, before exec) is harmless.
public func openDescriptors() -> [Int32] {
    guard let directory = opendir("/proc/self/fd") else { return [] }
    defer { closedir(directory) }
    var descriptors: [Int32] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if let fd = Int32(name) { descriptors.append(fd) }
    }
    return descriptors
}
