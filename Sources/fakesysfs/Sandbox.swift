import CLinux
import HostOS
import KernelCore
#if canImport(Glibc)
import Glibc
#endif

/// The private mount and network namespace `fakesysfs run` lives in, and the
/// scratch tree inside it: the mount point of the server and the empty mdevctl
/// configuration directories bound over the host's.
///
/// The whole process enters the namespaces, so the FUSE mount, the binds and
/// the uevent socket exist only there and vanish with the last process in
/// them. The host sees one empty directory in /tmp while it runs.
///
/// The command may mount over /tmp (or anything else), so the scratch tree is
/// taken down through handles opened while it was in plain view.
struct Sandbox {
    /// The network namespace the process was in before it unshared.
    let origin: NetworkNamespace
    /// The host directory the scratch tmpfs is mounted on.
    let scratch: String
    private let scratchName: String
    /// `/tmp`, opened before anything was mounted over it.
    private let temporaryHandle: Int32
    /// The root of the scratch tmpfs.
    private let scratchHandle: Int32

    /// Where the server mounts the tree.
    var mountpoint: String { scratch + "/sys" }
    /// The same mount point, however the command has rearranged the mounts since.
    var mountpointHandle: String { handlePath("sys") }
    private var mdevctlConfig: String { scratch + "/etc-mdevctl.d" }
    private var mdevctlScripts: String { scratch + "/usr-lib-mdevctl-scripts.d" }

    static func enter() throws(RunFailure) -> Sandbox {
        guard threadCount() == 1 else {
            throw RunFailure("cannot enter a private mount namespace from a multi-threaded process")
        }
        let origin: NetworkNamespace
        switch NetworkNamespace.ofCurrentThread() {
        case .success(let namespace): origin = namespace
        case .failure(let error): throw RunFailure("cannot identify the network namespace: \(error)")
        }
        let temporaryHandle = open("/tmp", CLINUX_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard temporaryHandle >= 0 else { throw RunFailure("cannot open /tmp", errno) }
        var template = Array("/tmp/fakesysfs-run.XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            close(temporaryHandle)
            throw RunFailure("cannot create a scratch directory in /tmp", errno)
        }
        let scratch = String(cString: created)
        let scratchName = String(scratch.dropFirst("/tmp/".count))

        guard clinux_become_subreaper() == 0 else {
            let failure = RunFailure("cannot become a subreaper", errno)
            unlinkat(temporaryHandle, scratchName, AT_REMOVEDIR)
            close(temporaryHandle)
            throw failure
        }
        guard clinux_unshare(Int32(CLONE_NEWNS | CLONE_NEWNET)) == 0 else {
            let failure = RunFailure("cannot make private mount and network namespaces (needs root)", errno)
            unlinkat(temporaryHandle, scratchName, AT_REMOVEDIR)
            close(temporaryHandle)
            throw failure
        }
        // Nothing mounted from here on may propagate back to the host.
        var failure: RunFailure?
        if mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil) != 0 {
            failure = RunFailure("cannot make the mounts private", errno)
        } else if mount("fakesysfs-run", scratch, "tmpfs", UInt(MS_NOSUID | MS_NODEV), "mode=0755") != 0 {
            failure = RunFailure("cannot mount a tmpfs on \(scratch)", errno)
        }
        let scratchHandle = failure == nil ? open(scratch, CLINUX_O_PATH | O_DIRECTORY | O_CLOEXEC) : -1
        if failure == nil && scratchHandle < 0 { failure = RunFailure("cannot open \(scratch)", errno) }
        let sandbox = Sandbox(origin: origin, scratch: scratch, scratchName: scratchName,
                              temporaryHandle: temporaryHandle, scratchHandle: scratchHandle)
        if failure == nil {
            let directories = [sandbox.mountpoint, sandbox.mdevctlConfig, sandbox.mdevctlConfig + "/scripts.d",
                               sandbox.mdevctlConfig + "/scripts.d/callouts", sandbox.mdevctlConfig + "/scripts.d/notifiers",
                               sandbox.mdevctlScripts, sandbox.mdevctlScripts + "/callouts", sandbox.mdevctlScripts + "/notifiers"]
            if let directory = directories.first(where: { mkdir($0, 0o755) != 0 }) {
                failure = RunFailure("cannot create \(directory)", errno)
            }
        }
        if let failure {
            sandbox.remove()
            throw failure
        }
        return sandbox
    }

    /// Binds the served tree (its `tree` subdirectory, for one host of several) over /sys, and the scratch mdevctl directories over
    /// the host's where those exist. Returns the targets bound, last first.
    func bindOverHost(tree: String?) throws(RunFailure) -> [String] {
        var bound: [String] = []
        let binds = [(tree.map { mountpoint + "/" + $0 } ?? mountpoint, "/sys", true),
                     (mdevctlConfig, "/etc/mdevctl.d", false),
                     (mdevctlScripts, "/usr/lib/mdevctl/scripts.d", false)]
        for (source, target, required) in binds {
            guard required || isDirectory(target) else { continue }
            guard mount(source, target, nil, UInt(MS_BIND), nil) == 0 else {
                let error = RunFailure("cannot bind \(source) over \(target)", errno)
                Self.unmount(bound)
                throw error
            }
            bound.insert(target, at: 0)
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

    /// Takes the tmpfs off the scratch directory and deletes the directory.
    func remove() {
        if scratchHandle >= 0 {
            umount2(handlePath(""), Int32(MNT_DETACH))
            close(scratchHandle)
        }
        unlinkat(temporaryHandle, scratchName, AT_REMOVEDIR)
        close(temporaryHandle)
    }

    private func handlePath(_ relative: String) -> String {
        "/proc/self/fd/\(scratchHandle)" + (relative.isEmpty ? "" : "/" + relative)
    }

    private func isDirectory(_ path: String) -> Bool {
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
