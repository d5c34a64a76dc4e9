import Harness
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs run --attach MOUNTPOINT`: a host of a running `fakesysfs mount`
/// as the command's /sys, the mount's server serving it.
struct AttachedMount {
    /// The directory that becomes /sys.
    let tree: String
    /// The host's name as the run asks for it; empty for the only host of a single-host mount.
    let host: String
    /// The mount's control socket.
    let socket: String

    static func resolve(_ mountpoint: String, host: String?) throws(RunFailure) -> AttachedMount {
        let target = Ctl.absolute(mountpoint)
        guard let socket = ControlSocketPath.forClient(mountpoint: target) else {
            throw RunFailure("\(target) is not served by fakesysfs for this user (no control socket): mount it first")
        }
        if Sandbox.isDirectory(target + "/bus") {
            return AttachedMount(tree: target, host: host ?? "", socket: socket)
        }
        let names = hostNames(in: target)
        guard let host else {
            throw RunFailure("\(target) serves several hosts: say which becomes /sys with --host (hosts: \(names.joined(separator: ", ")))")
        }
        guard names.contains(host) else {
            throw RunFailure("no host '\(host)' in \(target) (hosts: \(names.joined(separator: ", ")))")
        }
        return AttachedMount(tree: target + "/" + host, host: host, socket: socket)
    }

    private static func hostNames(in directory: String) -> [String] {
        guard let listing = opendir(directory) else { return [] }
        defer { closedir(listing) }
        var names: [String] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != "..", Sandbox.isDirectory(directory + "/" + name + "/bus") { names.append(name) }
        }
        return names.sorted()
    }
}
