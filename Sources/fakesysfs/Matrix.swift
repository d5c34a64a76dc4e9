import ArgumentParser
import Compatibility
import DriverCatalog
import MigrationCheck
#if canImport(Glibc)
import Glibc
#endif

struct Matrix: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every migratable device of one host against every target on another.",
        discussion: """
            HOST_A and HOST_B are sysfs roots (fakesysfs mounts, or /sys). Sources are the PCI \
            functions and mdevs of HOST_A that show the flavour's attribute; targets are those \
            of HOST_B plus its mdev types. Each cell is decided as `fakesysfs check` does. A pair \
            of different device models (PCI vendor:device, or mdev type) is n/a: it is not \
            compared and does not count as incompatible.

            Exit status: 0 every comparable pair compatible, 1 at least one incompatible, \
            2 usage error or a root that is not a sysfs tree.

            Example:
              fakesysfs matrix --html /tmp/matrix.html /tmp/fleet/source /tmp/fleet/target
            """)

    @Option(help: "The interface to use: migration_version, json or compatible.")
    var flavour: InterfaceFlavour = .migrationVersion

    @Option(help: ArgumentHelp("Also write the page (one self-contained HTML file) to FILE.", valueName: "FILE"))
    var html: String?

    @Flag(help: "Print the matrix as one JSON object (the page's content) instead of the text grid.")
    var json = false

    @Option(help: "The title on the page and in the JSON (default: the mount's scenario file).")
    var title: String?

    @Argument(help: "The source host's sysfs root.")
    var hostA: String

    @Argument(help: "The target host's sysfs root.")
    var hostB: String

    func run() throws {
        let access = FileAccess()
        for root in [hostA, hostB] where !access.isDirectory(joinPath(root, "bus/pci/devices")) {
            throw CommandFailure.unusable("\(root) has no bus/pci/devices: give the root of a sysfs tree")
        }
        let matrix = CompatibilityMatrix(sourceHost: hostA, targetHost: hostB, flavour: flavour, access: access,
                                         codecs: DriverCatalog.codecs)
        let report = MatrixReport(matrix: matrix, title: title ?? MountedScenario.name(of: hostA),
                                  generated: Clock.isoNow(), tool: Version.text)
        print(json ? report.json.text : matrix.text, terminator: json ? "\n" : "")
        if let html {
            if let failure = TextFile.write(report.html, to: html) {
                throw CommandFailure.unusable("cannot write \(html): \(failure)")
            }
            if !json { print("wrote \(html)") }
        }
        if matrix.counts.incompatible > 0 { throw ExitCode(ExitStatus.refused) }
    }
}

/// The scenario a fakesysfs mount serves: the `--scenario` of the server
/// process serving the mount that holds `path` (found in /proc, as `ps` would).
enum MountedScenario {
    static func name(of path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        let absolute = String(cString: resolved)
        free(resolved)
        let mounts = MountPoint.mountEntries().filter { entry in
            entry.type == "fuse.fakesysfs" && (absolute == entry.point || absolute.hasPrefix(entry.point + "/"))
        }
        guard let mount = mounts.max(by: { $0.point.count < $1.point.count }) else { return nil }
        for arguments in ProcessArguments.all() where arguments.count > 2 && arguments[1] == "mount"
            && arguments.contains("--foreground") && arguments.contains(mount.point) {
            guard let at = arguments.firstIndex(of: "--scenario"), at + 1 < arguments.count else { return "the default host" }
            return arguments[at + 1]
        }
        return nil
    }
}

/// Every readable /proc/PID/cmdline, split at its NULs.
enum ProcessArguments {
    static func all() -> [[String]] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var result: [[String]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard Int32(name) != nil, let file = fopen("/proc/\(name)/cmdline", "r") else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                bytes += buffer.prefix(count)
            }
            fclose(file)
            result.append(bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
                String(decoding: $0, as: UTF8.self)
            })
        }
        return result
    }
}

enum Clock {
    /// e.g. `2026-12-06T14:03:00Z`.
    static func isoNow() -> String {
        var now = time_t()
        time(&now)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
