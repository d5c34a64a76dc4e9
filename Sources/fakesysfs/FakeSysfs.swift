import ArgumentParser

@main
struct FakeSysfs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fakesysfs",
        abstract: "A simulated Linux /sys for mdev, SR-IOV and migration-compatibility testing.",
        discussion: """
            Mounts a FUSE filesystem that behaves like the kernel's sysfs for PCI devices, \
            SR-IOV virtual functions and mediated devices, with vendor drivers that answer \
            migration_version reads and writes.

            Example:
              fakesysfs mount /tmp/sys && ls /tmp/sys/bus/pci/devices
            """,
        subcommands: [Mount.self, Unmount.self])
}
