import ArgumentParser
import Compatibility
import DriverCatalog
import MigrationCheck

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
        let matrix = CompatibilityMatrix(sourceHost: hostA, targetHost: hostB, flavour: flavour, access: access,
                                         codecs: DriverCatalog.codecs)
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
