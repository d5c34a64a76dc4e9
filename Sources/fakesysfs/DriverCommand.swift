import ArgumentParser
import Scenario
#if canImport(Glibc)
import Glibc
#endif

struct DriverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driver",
        abstract: "Check declarative driver files (see docs/declarative-drivers.md).",
        discussion: """
            Example:
              fakesysfs driver check Drivers/declarative/nvme-vf.yaml
            """,
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a driver file: every key, setting, attribute and the migration_version template.",
            discussion: """
                Prints `FILE: ok: <summary>`, or `FILE:LINE: reason` on standard error and exits with 1. \
                A file that cannot be read exits with 2.
                """)

        @Argument(help: "The driver file.")
        var file: String

        func run() throws {
            guard access(file, R_OK) == 0 else {
                throw CommandFailure.unusable("\(file): cannot read: \(String(cString: strerror(errno)))")
            }
            let driver: DeclaredDriver
            do {
                driver = try DeclaredDriver.load(contentsOf: file)
            } catch {
                let line = "\(error)\n"
                _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                throw ExitCode(ExitStatus.refused)
            }
            print("\(file): ok: \(driver.summary)")
        }
    }
}
