import DriverCatalog
import FuseServer
import Harness
import KernelCore
import Synchronization

/// What a mount offers test harnesses besides the tree: the control socket
/// (`fakesysfs ctl`), reload on SIGHUP, and the access trace.
final class LiveControl: Sendable {
    let system: LiveSystem
    let socket: ControlServer

    private init(system: LiveSystem, socket: ControlServer) {
        self.system = system
        self.socket = socket
    }

    /// Starts the control socket for `mountpoint`; `hangup` is pointed at this system's reload.
    static func start(hosts: [Host], declarations: [HostDeclaration], server: FuseServer, trace: AccessTrace?,
                      mountpoint: String, readScenario: LiveSystem.ScenarioReader?, hangup: HangupTarget) throws -> LiveControl {
        let system = LiveSystem(hosts: hosts, declarations: declarations, faults: server.faults, trace: trace,
                                drivers: { DriverCatalog.factory(named: $0) }, driverNames: DriverCatalog.names,
                                readScenario: readScenario,
                                flush: { server.flushControlChanges() })
        let path = try ControlSocketPath.forServer(mountpoint: mountpoint)
        let socket = try ControlServer(path: path, log: { Log.write($0) }) { request in
            system.execute(request.arguments)
        }
        Log.write("control socket \(path)")
        hangup.point(at: system)
        return LiveControl(system: system, socket: socket)
    }

    func stop() { socket.stop() }
}

/// Where SIGHUP goes: set once the live system exists, which is after the FUSE server that takes the signal.
final class HangupTarget: Sendable {
    private let system = Mutex<LiveSystem?>(nil)

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
