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
              fakesysfs check /tmp/sys/bus/pci/devices/0000:3b:00.1 /tmp/sys/bus/pci/devices/0000:3b:00.2
            """,
        subcommands: [Mount.self, Unmount.self, Run.self, RunInit.self, Check.self, Matrix.self, ScenarioCommand.self, Ctl.self,
                      TraceCommand.self])
}

extension FakeSysfs {
    /// `check`, `matrix` and `trace` promise exit status 2 for every usage error,
    /// including the ones the argument parser finds.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let arguments = CommandLine.arguments.dropFirst()
            if exitCode(for: error) == .validationFailure, ["check", "matrix", "trace"].contains(arguments.first ?? "") {
                printError(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
