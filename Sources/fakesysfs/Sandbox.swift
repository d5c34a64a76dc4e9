import CLinux
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
struct Sandbox {
    /// The host directory the scratch tmpfs is mounted on.
    let scratch: String
    /// The network namespace the process was in before it unshared.
    let origin: NetworkNamespace

    var mountpoint: String { scratch + "/sys" }
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
        var template = Array("/tmp/fakesysfs-run.XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw RunFailure("cannot create a scratch directory in /tmp", errno) }
        let sandbox = Sandbox(scratch: String(cString: created), origin: origin)
        do throws(RunFailure) {
            guard clinux_become_subreaper() == 0 else { throw RunFailure("cannot become a subreaper", errno) }
            guard clinux_unshare(Int32(CLONE_NEWNS | CLONE_NEWNET)) == 0 else {
                throw RunFailure("cannot make private mount and network namespaces (needs root)", errno)
            }
            // Nothing mounted from here on may propagate back to the host.
            guard mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0 else {
                throw RunFailure("cannot make the mounts private", errno)
            }
            guard mount("fakesysfs-run", sandbox.scratch, "tmpfs", UInt(MS_NOSUID | MS_NODEV), "mode=0755") == 0 else {
                throw RunFailure("cannot mount a tmpfs on \(sandbox.scratch)", errno)
            }
            for directory in [sandbox.mountpoint,
                              sandbox.mdevctlConfig, sandbox.mdevctlConfig + "/scripts.d",
                              sandbox.mdevctlConfig + "/scripts.d/callouts", sandbox.mdevctlConfig + "/scripts.d/notifiers",
                              sandbox.mdevctlScripts, sandbox.mdevctlScripts + "/callouts", sandbox.mdevctlScripts + "/notifiers"]
            where mkdir(directory, 0o755) != 0 {
                throw RunFailure("cannot create \(directory)", errno)
            }
        } catch {
            sandbox.remove()
            throw error
        }
        return sandbox
    }

    /// Binds the served tree over /sys, and the scratch mdevctl directories over
    /// the host's where those exist. Returns the targets bound, last first.
    func bindOverHost() throws(RunFailure) -> [String] {
        var bound: [String] = []
        let binds = [(mountpoint, "/sys", true),
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

    /// Takes the tmpfs off the scratch directory and deletes the directory.
    func remove() {
        _ = umount2(scratch, Int32(MNT_DETACH))
        _ = rmdir(scratch)
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
