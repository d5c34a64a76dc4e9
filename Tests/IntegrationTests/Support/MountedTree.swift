import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A simulated /sys mounted by the real `fakesysfs` binary on a fresh
/// temporary directory, used through plain system calls as any program would.
///
///     let tree = try MountedTree.mount()
///     defer { tree.unmount() }
///     #expect(POSIX.readFile(tree.path("/bus/pci/devices/0000:00:02.0/vendor")) == .success("0x8086\n"))
///
/// The binary is `$FAKESYSFS_BINARY` (set by `scripts/test`), else the one next
/// to the test bundle, else `.build/debug/fakesysfs` in this package.
final class MountedTree: Sendable {
    /// A private directory holding the mount point and the server's log.
    let workspace: String
    /// The mount point: the equivalent of `/sys`.
    let root: String
    let logPath: String
    /// Set while the mount is gone because the test took it away (unmount, kill).
    private let stoppedByTest = Atomic<Bool>(false)

    private init(workspace: String) {
        self.workspace = workspace
        self.root = workspace + "/sys"
        self.logPath = workspace + "/server.log"
    }

    /// Mounts the default host, or `scenario` (a YAML file), in the background as
    /// `fakesysfs mount` does for a user, with further mount `options`
    /// (`--allow-other`, `--state FILE`, `--trace FILE`), and returns once the tree is served.
    /// With a `launcher`, the command runs as its arguments (`launcher + ["fakesysfs", "mount", ...]`).
    static func mount(scenario: String? = nil, options: [String] = [], launcher: [String] = []) throws -> MountedTree {
        if let problem = FUSEAvailability.problem { throw TestFailure("cannot mount: \(problem)") }
        let tree = try MountedTree(workspace: makeWorkspace())
        guard Glibc.mkdir(tree.root, 0o755) == 0 else { throw TestFailure("mkdir \(tree.root): \(lastError())") }
        let result = try tree.mountCommand(scenario: scenario, options: options, launcher: launcher)
        guard result.status == 0 else {
            let log = tree.serverLog
            tree.removeWorkspace()
            throw TestFailure("fakesysfs mount failed (\(result)); server log:\n\(log)")
        }
        return tree
    }

    /// The path of `sysfsPath` (e.g. `/bus/pci/devices`) inside the mount.
    func path(_ sysfsPath: String) -> String {
        sysfsPath.hasPrefix("/") ? root + sysfsPath : root + "/" + sysfsPath
    }

    /// Runs `fakesysfs mount` on this tree's mount point again, returning what it said.
    func mountCommand(scenario: String? = nil, options: [String] = [], launcher: [String] = []) throws -> CommandResult {
        var arguments = launcher + [try MountedTree.binary(), "mount", "--log", logPath] + options
        if let scenario { arguments += ["--scenario", scenario] }
        let result = try Command.run(arguments + [root])
        if result.status == 0 { stoppedByTest.store(false, ordering: .sequentiallyConsistent) }
        return result
    }

    /// The line `fakesysfs mount` prints once the tree is served.
    func servingLine(_ what: String = "the default host (1 host, 3 PCI functions, 0 mdevs)") -> String {
        "serving \(what) at \(root); log: \(logPath); stop with: fakesysfs unmount \(root)\n"
    }

    /// Runs `fakesysfs unmount` on this tree's mount point, returning what it said.
    func unmountCommand() throws -> CommandResult {
        stoppedByTest.store(true, ordering: .sequentiallyConsistent)
        return try Command.run([try MountedTree.binary(), "unmount", root])
    }

    /// Kills this tree's server with SIGKILL, as a crash would end it.
    func killServer() throws {
        guard let server = serverPID else { throw TestFailure("no server process for \(root)") }
        stoppedByTest.store(true, ordering: .sequentiallyConsistent)
        guard kill(server, SIGKILL) == 0 else { throw TestFailure("kill \(server): \(lastError())") }
    }

    /// Sends `signal` to this tree's server, which is to end it.
    func stopServer(with signal: Int32) throws {
        guard let server = serverPID else { throw TestFailure("no server process for \(root)") }
        stoppedByTest.store(true, ordering: .sequentiallyConsistent)
        guard kill(server, signal) == 0 else { throw TestFailure("kill \(server): \(lastError())") }
    }

    /// What the server wrote to its log so far.
    var serverLog: String { String(decoding: fileBytes(logPath), as: UTF8.self) }

    /// True while the mount point appears in /proc/self/mountinfo.
    var isMounted: Bool { MountTable.contains(root) }

    /// Stops the server and removes the workspace; safe to call again and after
    /// the server is gone. A failure is recorded as an issue, never thrown, so
    /// this belongs in a `defer`. So is a server that went away on its own
    /// during the test (a crash), with its log.
    func unmount(sourceLocation: SourceLocation = #_sourceLocation) {
        if !isMounted && !stoppedByTest.load(ordering: .sequentiallyConsistent) {
            Issue.record("the server of \(root) went away during the test; its log:\n\(serverLog)",
                         sourceLocation: sourceLocation)
        }
        if isMounted {
            do {
                let result = try unmountCommand()
                if result.status != 0 {
                    Issue.record("fakesysfs unmount failed (\(result))", sourceLocation: sourceLocation)
                }
            } catch {
                Issue.record(error, sourceLocation: sourceLocation)
            }
        }
        if isMounted, let fusermount = FUSEAvailability.fusermount {
            _ = try? Command.run([fusermount, "-uz", root])
        }
        if isMounted {
            Issue.record("\(root) is still mounted", sourceLocation: sourceLocation)
            return
        }
        removeWorkspace()
    }

    // MARK: Processes

    /// The background server of this mount, found by its command line.
    var serverPID: pid_t? {
        ProcessTable.first { arguments in arguments.contains("--foreground") && arguments.contains(root) }
    }

    /// The `fusermount3` that libfuse's `auto_unmount` leaves watching the server.
    var unmountWatchdogPID: pid_t? {
        ProcessTable.first { arguments in
            arguments.first.map { $0.hasSuffix("fusermount3") } == true && arguments.last == root
        }
    }

    // MARK: Workspace

    private static func makeWorkspace() throws -> String {
        var template = Array("/tmp/fakesysfs-test.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
        return String(cBuffer: template)
    }

    private func removeWorkspace() {
        Glibc.unlink(logPath)
        rmdir(root)
        rmdir(workspace)
    }

    /// The binary under test.
    static func binary() throws -> String {
        if let configured = getenv("FAKESYSFS_BINARY").map({ String(cString: $0) }), !configured.isEmpty {
            guard access(configured, X_OK) == 0 else { throw TestFailure("FAKESYSFS_BINARY=\(configured) is not executable") }
            return configured
        }
        let candidates = [besideTestBundle, packageRoot + "/.build/debug/fakesysfs"].compactMap { $0 }
        guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw TestFailure("no fakesysfs binary in \(candidates): run `swift build --product fakesysfs` or set FAKESYSFS_BINARY")
        }
        return found
    }

    /// `swift test` runs the test bundle from the same build directory as the binary.
    private static var besideTestBundle: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = Glibc.readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let executable = String(cBuffer: buffer.prefix(length))
        guard let slash = executable.lastIndex(of: "/") else { return nil }
        return executable[..<slash] + "/fakesysfs"
    }

    /// The package that holds this file, Tests/IntegrationTests/Support/MountedTree.swift.
    static var packageRoot: String {
        var path = "\(#filePath)"
        for _ in 0..<4 {
            guard let slash = path.lastIndex(of: "/") else { break }
            path = String(path[..<slash])
        }
        return path
    }
}
