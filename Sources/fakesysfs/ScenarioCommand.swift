import ArgumentParser
import DriverCatalog
import KernelCore
import Scenario
#if canImport(Glibc)
import Glibc
#endif

struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Write, check and explain scenario files.",
        discussion: """
            A scenario is a YAML file listing hosts and their devices; see scenarios/README.md.

            Example:
              fakesysfs scenario generate --hosts 1000 --devices-per-host 100 > fleet.yaml
              fakesysfs scenario check fleet.yaml
              fakesysfs mount --scenario fleet.yaml /tmp/fleet
            """,
        subcommands: [Generate.self, Check.self, Drivers.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a fleet scenario: many hosts alike, each with devices of one driver.")

        @Option(help: "How many hosts, named <name-prefix>0, <name-prefix>1, ... (one host takes the prefix as its name).")
        var hosts = 1

        @Option(help: "Functions per host, at consecutive addresses from --first.")
        var devicesPerHost: Int

        @Option(help: "The driver of every device (see `fakesysfs scenario drivers`).")
        var driver = "nvme-vf"

        @Option(help: "The first device's PCI address.")
        var first = "0000:01:00.0"

        @Option(help: "Host names start with this.")
        var namePrefix = "host"

        @Flag(help: "Write every host and device out instead of using `count`.")
        var explicit = false

        func run() throws {
            guard DriverCatalog.factory(named: driver) != nil else {
                throw ValidationError("unknown driver '\(driver)' (known: \(DriverCatalog.names.joined(separator: ", ")))")
            }
            guard let address = PCIAddress(first) else {
                throw ValidationError("bad PCI address '\(first)' (expected DDDD:BB:DD.F, e.g. 0000:3b:00.0)")
            }
            let fleet = FleetScenario(hosts: hosts, devicesPerHost: devicesPerHost, driver: driver,
                                      first: address, namePrefix: namePrefix)
            if let problem = fleet.problem { throw ValidationError(problem) }
            print(explicit ? fleet.explicitYAML : fleet.compactYAML, terminator: "")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a scenario file without mounting it: builds every host, then says what it holds.",
            discussion: "Prints `FILE: ok: <summary>`, or `FILE:LINE: reason` on standard error and exits with 1.")

        @Argument(help: "The scenario file.")
        var file: String

        func run() throws {
            do {
                let scenario = try DriverCatalog.loadScenario(file)
                print("\(file): ok: \(scenario.summary)")
            } catch {
                // As compilers print it, so editors can jump to the line.
                let line = "\(error)\n"
                _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                throw ExitCode(1)
            }
        }
    }

    struct Drivers: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the drivers a scenario may name, with their settings.")

        func run() {
            for factory in DriverCatalog.factories {
                print(factory.name)
                for setting in factory.settingsHelp {
                    print("  \(setting.key): \(setting.meaning)")
                }
            }
        }
    }
}
