import DriverCatalog
import FuseServer
import Harness
import KernelCore
import Scenario
import Support
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// What a mount offers test harnesses besides the tree: the control socket
/// (`fakesysfs ctl`), reload on SIGHUP, and the access trace.
final class LiveControl: Sendable {
    let system: LiveSystem
    let socket: ControlServer

    private init(system: LiveSystem, socket: ControlServer) {
        self.system = system
        self.socket = socket
    }

    /// Starts the control socket at `socketPath` over a loaded scenario; `hangup` is pointed at its reload.
    static func start(_ loaded: (scenario: Scenario, hosts: [DeclaredHost]), scenarioFile: String?, server: FuseServer,
                      hooks: HarnessHooks, socketPath path: String, hangup: HangupTarget,
                      log: @escaping @Sendable (String) -> Void = { Log.write($0) }) throws -> LiveControl {
        let declarations = try loaded.hosts.map { declared throws(ControlError) in try HostDeclaration(declared) }
        let system = LiveSystem(scenarioHosts: loaded.scenario.hosts, declarations: declarations, faults: hooks.faults,
                                trace: hooks.trace, drivers: { DriverCatalog.factory(named: $0) },
                                driverNames: DriverCatalog.names,
                                readScenario: scenarioFile.map { reader(for: absolute($0)) },
                                flush: { server.flushControlChanges() })
        let attachments = RunAttachments(system: system, log: log)
        let socket = try ControlServer(path: path, log: log) { request in
            request.arguments.first == RunAttachments.verb
                ? attachments.attach(Array(request.arguments.dropFirst())) : system.execute(request.arguments)
        }
        log("control socket \(path)")
        hangup.point(at: system)
        return LiveControl(system: system, socket: socket)
    }

    func stop() { socket.stop() }

    /// Reads the scenario file again, checked as on mount, into declarations.
    private static func reader(for path: String) -> LiveSystem.ScenarioReader {
        { () throws(ControlError) in
            let hosts: [DeclaredHost]
            do {
                hosts = try DriverCatalog.scenarioDeclarations(contentsOf: path)
            } catch {
                throw ControlError("reload: \(error)")
            }
            return try hosts.map { declared throws(ControlError) in try HostDeclaration(declared) }
        }
    }

    /// The file as the server will find it again, whatever directory it runs in. Symbolic
    /// links stay unresolved: a reload reads whatever the path names by then.
    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let directory = getcwd(nil, 0) else { return path }
        defer { free(directory) }
        let base = String(cString: directory)
        return (base == "/" ? "" : base) + "/" + path
    }
}

/// Where SIGHUP goes: set once the live system exists, which is after the FUSE server that takes the signal.
final class HangupTarget: Sendable {
    private let system = Locked<LiveSystem?>(nil)

    func point(at live: LiveSystem) { system.withLock { $0 = live } }

    /// Reloads the scenario, logging the outcome.
    func reload() {
        guard let live = system.withLock({ $0 }) else { return }
        Log.write("SIGHUP: reloading")
        let reply = live.execute(["reload"])
        for line in (reply.status == 0 ? reply.output : reply.error).split(separator: "\n") {
            Log.write(String(line))
        }
    }
}
