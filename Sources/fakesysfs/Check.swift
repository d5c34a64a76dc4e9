import ArgumentParser
import KernelCore
import MigrationCheck

extension InterfaceFlavour: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decide whether the device at SOURCE can migrate to TARGET, as a management tool would.",
        discussion: """
            SOURCE and TARGET are device directories in any sysfs tree (a fakesysfs mount or \
            the real /sys): an mdev, a VF or another PCI function; TARGET may also be an mdev \
            type directory, a target not yet created, whose type must then be the source's.

            migration_version: the source's string is written to the target's attribute; the \
            target's answer decides, and both strings are decoded with the driver formats to \
            name the field that differs. json: both migration_compatibility objects are \
            compared by the target's rules. compatible: the software_version and compatible_* \
            attributes are compared by the September 2020 rules. A missing attribute, a failed \
            read or a failed write means incompatible.

            Exit status: 0 compatible, 1 incompatible, 2 usage error.

            Example:
              fakesysfs check /sys/bus/pci/devices/0000:3b:00.1 /sys/bus/pci/devices/0000:3b:00.2
            """)

    @Option(help: "The interface to use: migration_version, json or compatible.")
    var flavour: InterfaceFlavour = .migrationVersion

    @Flag(help: "Print the verdict as a JSON object.")
    var json = false

    @Argument(help: "The device that would migrate.")
    var source: String

    @Argument(help: "The device, or mdev type directory, it would migrate to.")
    var target: String

    func run() throws {
        let checker = MigrationChecker(access: FileAccess())
        let result: CheckResult
        do {
            result = try checker.check(source: source, target: target, flavour: flavour)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        print(json ? result.json.text : result.report, terminator: json ? "\n" : "")
        if !result.isCompatible { throw ExitCode(1) }
    }
}

struct Matrix: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every migratable device of one host against every target on another.",
        discussion: """
            HOST_A and HOST_B are sysfs roots (fakesysfs mounts, or /sys). Sources are the PCI \
            functions and mdevs of HOST_A that show the flavour's attribute; targets are those \
            of HOST_B plus its mdev types. Each cell is decided as `fakesysfs check` does.

            Example:
              fakesysfs matrix --html /tmp/matrix.html /tmp/host-a /tmp/host-b
            """)

    @Option(help: "The interface to use: migration_version, json or compatible.")
    var flavour: InterfaceFlavour = .migrationVersion

    @Option(help: "Also write an HTML page with the reason in every cell to this file.")
    var html: String?

    @Argument(help: "The source host's sysfs root.")
    var hostA: String

    @Argument(help: "The target host's sysfs root.")
    var hostB: String

    func run() throws {
        let access = FileAccess()
        for root in [hostA, hostB] where !access.isDirectory(joinPath(root, "bus/pci/devices")) {
            printError("\(root) has no bus/pci/devices: give the root of a sysfs tree")
            throw ExitCode(2)
        }
        let matrix = CompatibilityMatrix(sourceHost: hostA, targetHost: hostB, flavour: flavour, access: access)
        print(matrix.text, terminator: "")
        if let html {
            if let failure = TextFile.write(matrix.html, to: html) {
                printError("cannot write \(html): \(failure)")
                throw ExitCode(2)
            }
            print("wrote \(html)")
        }
    }
}
