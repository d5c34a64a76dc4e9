import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The parts of /sys the simulation does not own, shown under `fakesysfs run`
/// as the real host's, read-only: block devices, firmware tables, memory
/// management, `dev`, `fs` — what libvirtd, systemd's tools and the rest of a
/// stack read besides the devices. The simulated tree has an empty directory
/// at each of these places (as a kernel with nothing there would); the
/// host's directory is bound over it.
///
/// The filesystems mounted below the host's /sys (cgroup2 on `fs/cgroup`,
/// bpf, fusectl) are left out: the real cgroup's cpuset names the real CPUs,
/// and hwloc would shrink the simulated topology to them.
///
/// `class/net` and `devices/virtual/net` come from a sysfs mounted inside the
/// private network namespace, so they show that namespace's interfaces
/// (`lo`), not the host's.
enum Passthrough {
    static let fromHost = ["block", "dev", "firmware", "fs", "hypervisor", "power", "kernel/mm", "kernel/security"]
    static let fromNamespace = ["class/net", "devices/virtual/net"]

    /// Binds each directory that exists both in the host's sysfs (`hostSysfs`) and in the served /sys.
    static func bind(from hostSysfs: String, namespaceSysfs: String, log: (String) -> Void) {
        let pairs = fromHost.map { (hostSysfs, $0) } + fromNamespace.map { (namespaceSysfs, $0) }
        for (base, relative) in pairs {
            let source = base + "/" + relative, target = "/sys/" + relative
            guard Sandbox.isDirectory(source), Sandbox.isDirectory(target) else { continue }
            guard mount(source, target, nil, UInt(MS_BIND), nil) == 0 else {
                log("cannot show the host's /sys/\(relative): \(String(cString: strerror(errno)))")
                continue
            }
            if clinux_make_read_only_recursively(target) != 0 {
                let reason = String(cString: strerror(errno))
                umount2(target, Int32(MNT_DETACH))
                log("cannot make the host's /sys/\(relative) read-only (\(reason)); left out")
            }
        }
    }
}
