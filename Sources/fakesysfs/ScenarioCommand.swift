import ArgumentParser
import DriverCatalog
import Harness
import KernelCore
import Scenario
import Support
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
            abstract: "Check a scenario file without mounting it: builds its hosts and reads its faults, as `mount` does.",
            discussion: """
                Prints `FILE: ok: <summary>`, or `FILE:LINE: reason` on standard error and exits with 1. \
                A file that cannot be read exits with 2. The hosts of one `count:` entry are built alike: \
                the first of each entry is built, as `mount` builds it before serving; the others count as it does.
                """)

        @Flag(help: "Print the outcome as one JSON object: file, ok, and hosts, functions, mdevs or error.")
        var json = false

        @Argument(help: "The scenario file.")
        var file: String

        func run() throws {
            guard access(file, R_OK) == 0 else {
                throw CommandFailure.unusable("\(file): cannot read: \(String(cString: strerror(errno)))")
            }
            let scenario: Scenario
            do {
                let loaded = try DriverCatalog.loadDeclaredScenario(file)
                // Faults are checked by the layer that applies them, as on mount.
                _ = try loaded.hosts.map { declared throws(ControlError) in try HostDeclaration(declared) }
                scenario = loaded.scenario
            } catch {
                if json {
                    print(JSONValue.object([
                        .init(key: "file", value: .string(file)), .init(key: "ok", value: .bool(false)),
                        .init(key: "error", value: .string("\(error)")),
                    ]).text)
                } else {
                    // As compilers print it, so editors can jump to the line.
                    let line = "\(error)\n"
                    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                }
                throw ExitCode(ExitStatus.refused)
            }
            if json {
                let (functions, mdevs) = scenario.totals
                print(JSONValue.object([
                    .init(key: "file", value: .string(file)), .init(key: "ok", value: .bool(true)),
                    .init(key: "hosts", value: .number(UInt64(scenario.hosts.count))),
                    .init(key: "functions", value: .number(UInt64(functions))),
                    .init(key: "mdevs", value: .number(UInt64(mdevs))),
                ]).text)
            } else {
                print("\(file): ok: \(scenario.summary)")
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
