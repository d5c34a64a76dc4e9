import KernelCore
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// The machines a scenario file describes, ready to serve.
///
/// With one host, `root` is that host's `/sys`; with several, each host's
/// `/sys` is the directory `root/<host name>/`, and a host is built when first
/// used (see `ScenarioHost`). The hosts own the devices the tree shows: keep
/// the scenario alive as long as its tree is served.
public struct Scenario: Sendable {
    public let root: Directory
    public let hosts: [ScenarioHost]

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

    /// PCI functions and mdevs in all; a host not built yet counts as the first of its entry.
    public var totals: (functions: Int, mdevs: Int) {
        hosts.reduce((functions: 0, mdevs: 0)) { total, host in
            let counts = host.counts
            return (total.functions + counts.functions, total.mdevs + counts.mdevs)
        }
    }

    /// e.g. `2 hosts, 6 PCI functions, 1 mdev`.
    public var summary: String {
        let (functions, mdevs) = totals
        func counted(_ count: Int, _ noun: String, _ plural: String) -> String {
            "\(count) \(count == 1 ? noun : plural)"
        }
        return [counted(hosts.count, "host", "hosts"), counted(functions, "PCI function", "PCI functions"),
                counted(mdevs, "mdev", "mdevs")].joined(separator: ", ")
    }
}

/// Reads a scenario file, refusing one past `ScenarioLimits.fileBytes` and
/// anything but a regular file: a FIFO or a device would block the reader (the
/// control thread, for a reload) or never end.
enum ScenarioFile {
    static func read(_ path: String) throws(ScenarioError) -> String {
        func failure(_ reason: String) -> ScenarioError { ScenarioError(file: path, line: 0, reason: reason) }
        func systemFailure() -> ScenarioError { failure("cannot read: \(String(cString: strerror(errno)))") }
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw systemFailure() }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw systemFailure() }
        guard info.st_mode & S_IFMT == S_IFREG else {
            if info.st_mode & S_IFMT == S_IFDIR { throw failure("cannot read: \(String(cString: strerror(EISDIR)))") }
            throw failure("not a regular file (a FIFO, socket or device)")
        }
        let tooLarge = failure("larger than \(ScenarioLimits.fileBytes >> 20) MiB: describe fleets with `count`")
        guard info.st_size <= ScenarioLimits.fileBytes else { throw tooLarge }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw systemFailure() }
            if count == 0 { break }
            bytes += chunk.prefix(count)
            guard bytes.count <= ScenarioLimits.fileBytes else { throw tooLarge }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure("not UTF-8 text") }
        return text
    }
}
