import KernelCore
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// The machines a scenario file describes, built and ready to serve.
///
/// With one host, `root` is that host's `/sys`; with several, each host's
/// `/sys` is the directory `root/<host name>/`. The hosts own the devices
/// the tree shows: keep the scenario alive as long as its tree is served.
public struct Scenario: Sendable {
    public let root: Directory
    public let hosts: [Host]

    /// Finds a driver by the name scenarios use.
    public typealias DriverLookup = (String) -> (any DriverFactory.Type)?

    /// Reads, checks and builds the scenario at `path`; nothing is built unless all of it is valid.
    public static func load(contentsOf path: String, drivers: @escaping DriverLookup, driverNames: [String] = [],
                            log: @escaping @Sendable (String) -> Void = { _ in }) throws(ScenarioError) -> Scenario {
        let yaml = try ScenarioFile.read(path)
        return try load(yaml: yaml, file: path, drivers: drivers, driverNames: driverNames, log: log)
    }

    /// Checks and builds a scenario given as text; `file` names it in errors.
    public static func load(yaml: String, file: String, drivers: @escaping DriverLookup, driverNames: [String] = [],
                            log: @escaping @Sendable (String) -> Void = { _ in }) throws(ScenarioError) -> Scenario {
        let reader = YAMLReader(file: file)
        let plan = try ScenarioParser(reader: reader, drivers: drivers, driverNames: driverNames).parse(yaml: yaml)
        return try ScenarioBuilder(reader: reader, log: log).build(plan)
    }

    /// e.g. `2 hosts, 6 PCI functions, 1 mdev`.
    public var summary: String {
        let functions = hosts.reduce(0) { $0 + $1.devices.count }
        let mdevs = hosts.reduce(0) { $0 + $1.mdevs.count }
        func counted(_ count: Int, _ noun: String, _ plural: String) -> String {
            "\(count) \(count == 1 ? noun : plural)"
        }
        return [counted(hosts.count, "host", "hosts"), counted(functions, "PCI function", "PCI functions"),
                counted(mdevs, "mdev", "mdevs")].joined(separator: ", ")
    }
}

/// Reads a scenario file, refusing one past `ScenarioLimits.fileBytes`.
enum ScenarioFile {
    static func read(_ path: String) throws(ScenarioError) -> String {
        func failure(_ reason: String) -> ScenarioError { ScenarioError(file: path, line: 0, reason: reason) }
        guard let file = fopen(path, "rb") else { throw failure("cannot read: \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk.prefix(count)
            guard bytes.count <= ScenarioLimits.fileBytes else {
                throw failure("larger than \(ScenarioLimits.fileBytes >> 20) MiB: describe fleets with `count`")
            }
        }
        if ferror(file) != 0 { throw failure("cannot read: \(String(cString: strerror(errno)))") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure("not UTF-8 text") }
        return text
    }
}
