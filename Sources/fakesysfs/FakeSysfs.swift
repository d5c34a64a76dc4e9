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

            \(ExitStatus.table)

            Example:
              fakesysfs mount /tmp/sys
              fakesysfs ctl /tmp/sys set-vfs 0000:3b:00.0 2
              D=/tmp/sys/bus/pci/devices
              fakesysfs check $D/0000:3b:00.1 $D/0000:3b:00.2
              fakesysfs unmount /tmp/sys
            """,
        version: Version.text,
        subcommands: [Mount.self, Unmount.self, Run.self, RunInit.self, Check.self, Matrix.self, ScenarioCommand.self, DriverCommand.self, Ctl.self,
                      TraceCommand.self])
}

extension FakeSysfs {
    /// Usage errors exit with 2 (`run`: 125, its own failure), and a mistyped
    /// subcommand gets a suggestion, as a mistyped option does.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let unknown = UnknownSubcommand.find(in: arguments, under: FakeSysfs.self) {
            printError(unknown.description)
            exit(withError: ExitCode(ExitStatus.usage))
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let failure as CommandFailure {
            printError(failure.description)
            exit(withError: ExitCode(failure.status))
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                exit(withError: ExitCode(arguments.first == "run" ? ExitStatus.runOwnFailure : ExitStatus.usage))
            }
            exit(withError: error)
        }
    }
}
