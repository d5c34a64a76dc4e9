import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Who may use a mount: by default only the mounting user (FUSE without
/// `allow_other`); with `--allow-other` everyone, with the kernel checking
/// each file's mode (`default_permissions`) as it does on sysfs.
@Suite(.requiresFUSE, .enabled(if: UnprivilegedUser.canSwitch || FUSEAvailability.isCI, "needs root to switch users"))
struct SecurityTests {
    static let gpu = "/bus/pci/devices/0000:00:02.0"
    static let create = "/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create"

    /// The mount point's own directory (a private temporary one) must let others walk to it.
    private func openWorkspace(_ tree: MountedTree) {
        chmod(tree.workspace, 0o755)
    }

    @Test func withoutAllowOtherAnotherUserCannotEvenRead() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        openWorkspace(tree)
        #expect(try UnprivilegedUser.attempt(.stat, tree.root) == "EACCES")
        #expect(try UnprivilegedUser.attempt(.list, tree.path("/bus/pci/devices")) == "EACCES")
        #expect(try UnprivilegedUser.attempt(.read, tree.path(Self.gpu + "/vendor")) == "EACCES")
        #expect(try UnprivilegedUser.attempt(.write, tree.path(Self.create), data: MdevBadInputTables.uuid) == "EACCES")
        #expect(POSIX.readFile(tree.path(Self.gpu + "/vendor")) == .success("0x8086\n"), "the mounting user still can")
    }

    @Test func withAllowOtherModesDecide() throws {
        let tree = try MountedTree.mount(options: ["--allow-other"])
        defer { tree.unmount() }
        openWorkspace(tree)
        #expect(try UnprivilegedUser.attempt(.read, tree.path(Self.gpu + "/vendor")) == "ok:0x8086\n")
        #expect(try UnprivilegedUser.attempt(.read, tree.path(Self.gpu + "/numa_node")) == "ok:0\n")
        #expect(try UnprivilegedUser.attempt(.list, tree.path("/bus/mdev/devices")) == "ok:")
        #expect(try UnprivilegedUser.attempt(.read, tree.path(Self.gpu + "/reset")) == "EACCES")
        for (path, data) in [(Self.create, MdevBadInputTables.uuid), (Self.gpu + "/reset", "1"),
                             (Self.gpu + "/numa_node", "1"), (Self.gpu + "/driver_override", "vfio-pci"),
                             (Self.gpu + "/uevent", "change"), ("/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "2"),
                             ("/bus/pci/drivers/i915/unbind", "0000:00:02.0")] {
            #expect(try UnprivilegedUser.attempt(.write, tree.path(path), data: data) == "EACCES", "\(path)")
        }
        #expect(POSIX.names(tree.path("/bus/mdev/devices")) == .success([]))
        #expect(POSIX.readFile(tree.path("/bus/pci/devices/0000:3b:00.0/sriov_numvfs")) == .success("0\n"))
        #expect(POSIX.readFile(tree.path(Self.gpu + "/numa_node")) == .success("0\n"))
        #expect(POSIX.readlink(tree.path(Self.gpu + "/driver")) == .success("../../../bus/pci/drivers/i915"))
        #expect(POSIX.writeFile(tree.path(Self.create), MdevBadInputTables.uuid) == .success(36), "root still can")
    }

    /// In a mount namespace whose init is this very process (`unshare --pid --mount-proc`),
    /// the namespace counts as the initial one: `/sys` is refused, and nothing is mounted.
    @Test func realSysIsRefusedOutsideAPrivateNamespace() throws {
        let result = try Command.run(["/usr/bin/unshare", "--mount", "--pid", "--fork", "--mount-proc", "--",
                                      try MountedTree.binary(), "mount", "/sys"])
        #expect(result == CommandResult(
            status: 1, output: "Error: refusing to mount over the real /sys outside a private mount namespace\n"))
    }

    /// In a private mount namespace (the recipe for unmodified clients) `/sys` may be replaced,
    /// when PID 1's namespace can be inspected to tell; where it cannot, `/sys` is refused with the reason.
    @Test func privateNamespaceMayMountOverSys() throws {
        let binary = try MountedTree.binary()
        let script = "umount -l /sys && '\(binary)' mount --log /dev/null /sys && cat /sys/bus/pci/devices/0000:00:02.0/vendor; umount -l /sys"
        let result = try Command.run(["/usr/bin/unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script])
        var initial = stat()
        if stat("/proc/1/ns/mnt", &initial) == 0 {
            #expect(result == CommandResult(status: 0, output: "0x8086\n"))
        } else {
            #expect(result.status != 0)
            #expect(result.output.hasPrefix(
                "Error: refusing to mount over /sys: cannot tell whether this mount namespace is private (/proc/1/ns/mnt: "))
        }
        #expect(ProcessTable.first { $0.contains("/sys") && $0.contains("--foreground") && $0.first == binary } == nil,
                "no server left behind")
    }
}
