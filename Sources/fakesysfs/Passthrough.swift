import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The parts of /sys the simulation does not own, shown under `fakesysfs run`
/// as the real host's, read-only: block devices, cgroups, firmware tables,
/// memory management, `dev` — what libvirtd, systemd's tools and the rest of a
/// stack read besides the devices. The simulated tree has an empty directory
/// at each of these places (as a kernel with nothing there would); the
/// host's directory is bound over it with everything mounted below it.
///
/// `class/net` and `devices/virtual/net` come from a sysfs mounted inside the
/// private network namespace, so they show that namespace's interfaces
/// (`lo`), not the host's.
enum Passthrough {
    static let fromHost = ["block", "dev", "firmware", "fs", "hypervisor", "power",
                           "kernel/mm", "kernel/security", "kernel/cgroup"]
    static let fromNamespace = ["class/net", "devices/virtual/net"]

    /// Binds each directory that exists both in the host's sysfs (`hostSysfs`) and in the served /sys.
    static func bind(from hostSysfs: String, namespaceSysfs: String, log: (String) -> Void) {
        let pairs = fromHost.map { (hostSysfs, $0) } + fromNamespace.map { (namespaceSysfs, $0) }
        for (base, relative) in pairs {
            let source = base + "/" + relative, target = "/sys/" + relative
            guard Sandbox.isDirectory(source), Sandbox.isDirectory(target) else { continue }
            guard mount(source, target, nil, UInt(MS_BIND | MS_REC), nil) == 0 else {
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
