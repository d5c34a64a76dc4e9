import ArgumentParser
import Compatibility
import DriverCatalog
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

            Exit status: 0 compatible, 1 incompatible, 2 usage error or a path that is not a device.

            Example (after `fakesysfs ctl /tmp/sys set-vfs 0000:3b:00.0 2`):
              D=/tmp/sys/bus/pci/devices
              fakesysfs check $D/0000:3b:00.1 $D/0000:3b:00.2
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
        let access = FileAccess()
        for path in [source, target] where !access.exists(path) {
            throw CommandFailure.unusable("\(path) does not exist")
        }
        let checker = MigrationChecker(access: access, codecs: DriverCatalog.codecs)
        let result: CheckResult
        do {
            result = try checker.check(source: source, target: target, flavour: flavour)
        } catch {
            throw CommandFailure.unusable(error.description)
        }
        print(json ? result.json.text : result.report, terminator: json ? "\n" : "")
        if !result.isCompatible { throw ExitCode(1) }
    }
}
