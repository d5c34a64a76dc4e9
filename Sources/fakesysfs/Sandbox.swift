import CLinux
import HostOS
import KernelCore
#if canImport(Glibc)
import Glibc
#endif

/// The private mount and network namespace `fakesysfs run` serves from, and
/// the scratch tree inside it.
///
/// The scratch tree is a tmpfs mounted over /sys in the private namespace
/// (the served tree then goes over it), so nothing is ever created on the
/// host: when the process ends, however it ends, its namespace and every
/// mount in it go with it. The host's own sysfs stays reachable through a
/// handle opened before the scratch covered it, for the directories the
/// simulation leaves to the host (`Passthrough`).
///
/// The command may rearrange the mounts it sees, so the scratch tree is
/// reached through handles opened while it was in plain view.
struct Sandbox {
    /// The network namespace the process was in before it unshared.
    let origin: NetworkNamespace
    /// The host's sysfs, as it was before anything covered it.
    let hostSysfs: Int32
    /// The root of the scratch tmpfs.
    private let scratchHandle: Int32

    /// Where the server mounts the tree, while the scratch is in view.
    let mountpoint = "/sys/tree"
    /// The same mount point, however the mounts have been rearranged since.
    var mountpointHandle: String { handlePath("tree") }
    /// A sysfs mounted inside the private network namespace: its `class/net` shows that namespace's interfaces.
    var namespaceSysfs: String { handlePath("netsys") }
    /// The directory `/dev/vfio` is bound from.
    var vfioDirectory: String { handlePath("vfio") }
    private var mdevctlConfig: String { handlePath("etc-mdevctl.d") }
    private var mdevctlScripts: String { handlePath("usr-lib-mdevctl-scripts.d") }

    static func enter() throws(RunFailure) -> Sandbox {
        guard threadCount() == 1 else {
            throw RunFailure("cannot enter a private mount namespace from a multi-threaded process")
        }
        let origin: NetworkNamespace
        switch NetworkNamespace.ofCurrentThread() {
        case .success(let namespace): origin = namespace
        case .failure(let error): throw RunFailure("cannot identify the network namespace: \(error)")
        }
        guard clinux_unshare(Int32(CLONE_NEWNS | CLONE_NEWNET)) == 0 else {
            throw RunFailure("cannot make private mount and network namespaces (needs root)", errno)
        }
        // Nothing mounted from here on may propagate back to the host.
        guard mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0 else {
            throw RunFailure("cannot make the mounts private", errno)
        }
        let hostSysfs = open("/sys", CLINUX_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard hostSysfs >= 0 else { throw RunFailure("cannot open /sys", errno) }
        guard mount("fakesysfs-run", "/sys", "tmpfs", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC), "mode=0755") == 0 else {
            throw RunFailure("cannot mount a scratch tmpfs", errno)
        }
        let scratchHandle = open("/sys", CLINUX_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard scratchHandle >= 0 else { throw RunFailure("cannot open the scratch tmpfs", errno) }
        let sandbox = Sandbox(origin: origin, hostSysfs: hostSysfs, scratchHandle: scratchHandle)
        let directories = ["tree", "netsys", "vfio", "etc-mdevctl.d", "etc-mdevctl.d/scripts.d",
                           "etc-mdevctl.d/scripts.d/callouts", "etc-mdevctl.d/scripts.d/notifiers",
                           "usr-lib-mdevctl-scripts.d", "usr-lib-mdevctl-scripts.d/callouts",
                           "usr-lib-mdevctl-scripts.d/notifiers"]
        if let directory = directories.first(where: { mkdir("/sys/" + $0, 0o755) != 0 }) {
            throw RunFailure("cannot create \(directory) in the scratch tmpfs", errno)
        }
        guard mount("sysfs", "/sys/netsys", "sysfs", UInt(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC), nil) == 0 else {
            throw RunFailure("cannot mount a sysfs for the private network namespace", errno)
        }
        return sandbox
    }

    /// Binds `tree` (the served tree, or one host's directory of it) over /sys,
    /// the host's directories the simulation leaves alone over its empty ones,
    /// and the scratch mdevctl directories over the host's where those exist.
    /// Returns the targets bound, last first.
    func bindOverHost(tree: String, log: (String) -> Void) throws(RunFailure) -> [String] {
        var bound: [String] = []
        let binds = [(tree, "/sys", true),
                     (mdevctlConfig, "/etc/mdevctl.d", false),
                     (mdevctlScripts, "/usr/lib/mdevctl/scripts.d", false)]
        for (source, target, required) in binds {
            guard required || Self.isDirectory(target) else { continue }
            guard mount(source, target, nil, UInt(MS_BIND), nil) == 0 else {
                let error = RunFailure("cannot bind \(source) over \(target)", errno)
                Self.unmount(bound)
                throw error
            }
            bound.insert(target, at: 0)
            if target == "/sys" {
                Passthrough.bind(from: handlePath(hostSysfs), namespaceSysfs: namespaceSysfs, log: log)
            }
        }
        return bound
    }

    static func unmount(_ targets: [String]) {
        for target in targets { _ = umount2(target, Int32(MNT_DETACH)) }
    }

    /// Severs the FUSE connection of the filesystem on `device` (fusectl's
    /// `abort`), for when some mount of it is out of reach; its loop then ends.
    func abortConnection(device: dev_t) -> Bool {
        let control = handlePath("fusectl")
        guard mkdir(control, 0o755) == 0 || errno == EEXIST,
              mount("fusectl", control, "fusectl", 0, nil) == 0 else { return false }
        defer { umount2(control, Int32(MNT_DETACH)) }
        // An anonymous device: major 0, so the connection is named by its minor.
        let minor = (UInt64(device) & 0xff) | ((UInt64(device) >> 12) & 0xffff_ff00)
        let fd = open(control + "/\(minor)/abort", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "1", 1) == 1
    }

    /// Takes the scratch tmpfs down. The namespace would take it with it anyway.
    func remove() {
        umount2(namespaceSysfs, Int32(MNT_DETACH))
        umount2(handlePath(""), Int32(MNT_DETACH))
        close(scratchHandle)
        close(hostSysfs)
    }

    func handlePath(_ relative: String) -> String {
        handlePath(scratchHandle) + (relative.isEmpty ? "" : "/" + relative)
    }

    private func handlePath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private static func threadCount() -> Int {
        guard let directory = opendir("/proc/self/task") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if UInt8(bitPattern: entry.pointee.d_name.0) != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }
}

/// A failure of `fakesysfs run` itself, as opposed to the command it runs.
struct RunFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        description = message
    }

    init(_ message: String, _ code: Int32) {
        description = "\(message): \(String(cString: strerror(code)))"
    }
}
