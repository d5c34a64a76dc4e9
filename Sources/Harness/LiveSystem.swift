import ArgumentParser
import FuseServer
import KernelCore
import Scenario
import SysfsTree

/// The hosts of a running mount as control commands see and change them.
///
/// Commands run one at a time (from the control socket or SIGHUP). Each runs
/// on the calling thread, so the tree changes it makes are queued for that
/// thread and flushed to the kernel (`flush`) before the reply is built.
public final class LiveSystem: @unchecked Sendable {
    /// Finds a driver factory by the name scenarios use.
    public typealias DriverLookup = @Sendable (String) -> (any DriverFactory.Type)?
    /// Reads the scenario file again; nil when the mount has none.
    public typealias ScenarioReader = @Sendable () throws(ControlError) -> [HostDeclaration]

    /// A host with what commands know about it; its variables are guarded by `serial`.
    final class LiveHost {
        let handle: ScenarioHost
        var context: HostContext
        /// The host as the scenario file last declared it: what a reload compares against.
        var declared: HostDeclaration
        /// Devices by address, with the settings they have now; made on first use (a fleet declares a million).
        private var declarationsByAddress: [PCIAddress: DeviceDeclaration]?

        init(handle: ScenarioHost, declaration: HostDeclaration) {
            self.handle = handle
            self.context = declaration.context
            self.declared = declaration
        }

        var name: String { handle.name }
        /// The host, built now if it was not (see `ScenarioHost`).
        var host: Host { handle.host }
        var isBuilt: Bool { handle.builtHost != nil }

        var declarations: [PCIAddress: DeviceDeclaration] {
            get {
                if let declarationsByAddress { return declarationsByAddress }
                let made = Dictionary(declared.devices.map { ($0.address, $0) }, uniquingKeysWith: { $1 })
                declarationsByAddress = made
                return made
            }
            set { declarationsByAddress = newValue }
        }

        /// True if the host has the PCI function; a host not built yet has what it declares.
        func holds(_ address: PCIAddress) -> Bool {
            if let host = handle.builtHost { return host.device(address) != nil }
            return declared.devices.contains { $0.address == address }
        }

        /// True if the host has the mdev; a host not built yet has what it declares.
        func holds(_ uuid: MdevUUID) -> Bool {
            if let host = handle.builtHost { return host.mdev(uuid) != nil }
            return declared.devices.contains { device in device.mdevs.contains { MdevUUID($0.uuid) == uuid } }
        }
    }

    let hosts: [LiveHost]
    let faults: FaultPlan
    let trace: AccessTrace?
    let drivers: DriverLookup
    let driverNames: [String]
    let readScenario: ScenarioReader?
    /// Each host's uevents, by host name.
    public let uevents: [String: UEventFanout]
    private let flush: @Sendable () -> Void
    private let serial = KernelLock()

    /// `declarations` pairs with `hosts` by name; a host without one has no declared devices.
    public convenience init(hosts: [Host], declarations: [HostDeclaration] = [], faults: FaultPlan,
                            trace: AccessTrace? = nil, drivers: @escaping DriverLookup, driverNames: [String] = [],
                            readScenario: ScenarioReader? = nil, flush: @escaping @Sendable () -> Void = {}) {
        self.init(scenarioHosts: hosts.map(ScenarioHost.init(built:)), declarations: declarations, faults: faults,
                  trace: trace, drivers: drivers, driverNames: driverNames, readScenario: readScenario, flush: flush)
    }

    /// The same over a scenario's hosts, which are built when first used: by a look
    /// into the tree or by a command that names them.
    public init(scenarioHosts: [ScenarioHost], declarations: [HostDeclaration] = [], faults: FaultPlan,
                trace: AccessTrace? = nil, drivers: @escaping DriverLookup, driverNames: [String] = [],
                readScenario: ScenarioReader? = nil, flush: @escaping @Sendable () -> Void = {}) {
        let declarationByName = Dictionary(declarations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.hosts = scenarioHosts.map { handle in
            LiveHost(handle: handle, declaration: declarationByName[handle.name] ?? HostDeclaration(name: handle.name))
        }
        self.faults = faults
        self.trace = trace
        self.drivers = drivers
        self.driverNames = driverNames
        self.readScenario = readScenario
        self.flush = flush
        let multiHost = scenarioHosts.count > 1
        var uevents: [String: UEventFanout] = [:]
        for handle in scenarioHosts {
            let fanout = UEventFanout(recorder: UEventRecorder(hostName: multiHost ? handle.name : nil, trace: trace))
            uevents[handle.name] = fanout
            handle.whenBuilt { host in host.setUEventSink(fanout) }
        }
        self.uevents = uevents
        faults.replaceScenarioRules(declarations.flatMap { declaration in
            declaration.faults.map { rule in scoped(rule, to: declaration.name) }
        })
    }

    var isMultiHost: Bool { hosts.count > 1 }

    /// A scenario's rule holds for its own host; in a single-host tree there is no host to name.
    func scoped(_ rule: FaultRule, to host: String) -> FaultRule {
        var scoped = rule
        scoped.host = isMultiHost ? host : nil
        return scoped
    }

    // MARK: Running commands

    /// Parses and runs one command, as typed after `fakesysfs ctl MOUNTPOINT`.
    public func execute(_ arguments: [String]) -> ControlReply {
        if let help = ControlCommands.requestedHelp(arguments) { return ControlReply(output: help + "\n") }
        let command: ParsableCommand
        do {
            command = try ControlCommands.parseAsRoot(arguments)
        } catch {
            let message = ControlCommands.fullMessage(for: error)
            let status = ControlCommands.exitCode(for: error).rawValue
            return status == 0 ? ControlReply(output: message) : .failure(message, status: status)
        }
        if command is ControlCommands || command is ControlCommands.Fault {
            return .failure("give a command:\n" + ControlCommands.helpMessage(for: type(of: command)))
        }
        return serial.withLock { run(command, arguments: arguments) }
    }

    private func run(_ command: ParsableCommand, arguments: [String]) -> ControlReply {
        let touched: [LiveHost]
        do {
            touched = try hostsChanged(by: command)
        } catch {
            return .failure(error.description)
        }
        let before = touched.map { TreeSnapshot(of: $0.host.root) }
        let ((result, messages), events) = UEventRecorder.capture {
            KernelMessages.capture { () -> Result<String, ControlError> in
                Result { () throws(ControlError) in try perform(command) }
            }
        }
        var lines: [String] = []
        for (index, live) in touched.enumerated() {
            let changes = before[index].changes(to: TreeSnapshot(of: live.host.root))
            lines += changes.lines(prefix: isMultiHost ? "[\(live.name)] " : "")
        }
        lines += events.map { "uevent \($0.action.rawValue) \($0.devpath) (\($0.subsystem))" }
        flush()
        traceCommand(command, arguments, result: result, reasons: messages, changes: lines)
        switch result {
        case .success(let output):
            return ControlReply(output: ([output].filter { !$0.isEmpty } + lines).map { $0 + "\n" }.joined())
        case .failure(let error):
            let reasons = messages.map { "\n  kernel: " + $0 }.joined()
            return ControlReply(status: 1, output: lines.map { $0 + "\n" }.joined(), error: error.description + reasons)
        }
    }

    private func traceCommand(_ command: ParsableCommand, _ arguments: [String], result: Result<String, ControlError>, reasons: [String],
                              changes: [String]) {
        guard let trace, !(command is ControlCommands.Status || command is ControlCommands.Fault.List) else { return }
        var record = TraceRecord(operation: "ctl", path: "")
        record.value = arguments.joined(separator: " ")
        if case .failure(let error) = result {
            record.errno = 1
            record.explain([error.description] + reasons)
        } else {
            record.explain(reasons)
        }
        if !changes.isEmpty { record.changes = changes.joined(separator: "\n") }
        if let mark = command as? ControlCommands.Mark {
            record = TraceRecord(operation: "mark", path: "")
            record.value = mark.text.joined(separator: " ")
        }
        trace.record(record)
    }

    /// The hosts whose trees a command may change: snapshotted before and after it.
    private func hostsChanged(by command: ParsableCommand) throws(ControlError) -> [LiveHost] {
        switch command {
        case let plug as ControlCommands.Plug: return [try host(named: plug.choice.host, address: nil)]
        case let unplug as ControlCommands.Unplug: return [try host(named: unplug.choice.host, address: unplug.address)]
        case let update as ControlCommands.Update: return [try host(named: update.choice.host, address: update.address)]
        case let create as ControlCommands.CreateMdev: return [try host(named: create.choice.host, address: create.parent)]
        case let remove as ControlCommands.RemoveMdev: return [try host(named: remove.choice.host, mdev: remove.uuid)]
        case let setVFs as ControlCommands.SetVFs: return [try host(named: setVFs.choice.host, address: setVFs.address)]
        case let write as ControlCommands.WriteAttribute: return [try host(named: write.choice.host, address: nil)]
        case is ControlCommands.Reload: return hosts
        default: return []
        }
    }

    private func perform(_ command: ParsableCommand) throws(ControlError) -> String {
        switch command {
        case is ControlCommands.Status: return status()
        case let plug as ControlCommands.Plug: return try self.plug(plug)
        case let unplug as ControlCommands.Unplug: return try self.unplug(unplug)
        case let update as ControlCommands.Update: return try self.update(update)
        case let create as ControlCommands.CreateMdev: return try createMdev(create)
        case let remove as ControlCommands.RemoveMdev: return try removeMdev(remove)
        case let setVFs as ControlCommands.SetVFs: return try self.setVFs(setVFs)
        case let write as ControlCommands.WriteAttribute: return try self.write(write)
        case let add as ControlCommands.Fault.Add: return try addFault(add)
        case is ControlCommands.Fault.List: return listFaults()
        case let clear as ControlCommands.Fault.Clear: return try clearFaults(clear)
        case is ControlCommands.Reload: return try reload()
        case is ControlCommands.Mark: return ""
        default: throw ControlError("\(type(of: command)._commandName) cannot run here")
        }
    }

    // MARK: Finding hosts and devices

    /// The host a command names, or the one holding `address`, or the only one.
    func host(named name: String?, address: String?) throws(ControlError) -> LiveHost {
        if let name {
            guard let live = hosts.first(where: { $0.name == name }) else {
                throw ControlError("no host '\(name)' (hosts: \(hosts.map(\.name).joined(separator: ", ")))")
            }
            return live
        }
        if hosts.count == 1, let only = hosts.first { return only }
        if let address, let parsed = PCIAddress(address) {
            let holders = hosts.filter { $0.holds(parsed) }
            if holders.count == 1, let holder = holders.first { return holder }
        }
        throw ControlError("several hosts: say which with --host (\(hosts.map(\.name).joined(separator: ", ")))")
    }

    func host(named name: String?, mdev uuid: String) throws(ControlError) -> LiveHost {
        if name == nil, hosts.count > 1, let parsed = MdevUUID(uuid) {
            let holders = hosts.filter { $0.holds(parsed) }
            if holders.count == 1, let holder = holders.first { return holder }
        }
        return try host(named: name, address: nil)
    }

    func address(_ text: String) throws(ControlError) -> PCIAddress {
        guard let address = PCIAddress(text) else {
            throw ControlError("'\(text)' is not a PCI address (DDDD:BB:DD.F, e.g. 0000:3b:00.0)")
        }
        return address
    }

    func device(_ text: String, on live: LiveHost) throws(ControlError) -> PCIDevice {
        let address = try address(text)
        guard let device = live.host.device(address) else {
            throw ControlError("no PCI function \(address) on host \(live.name)")
        }
        return device
    }

    /// One write(2) of `text` to the attribute at `path` below `directory`, with the file's errno.
    func store(_ text: String, at path: String, in directory: Directory, shownAs shown: String) throws(ControlError) {
        guard let attribute = directory.resolve(path) as? Attribute else {
            throw ControlError("write \(shown): ENOENT (no such attribute)")
        }
        guard attribute.mode & 0o222 != 0 else { throw ControlError("write \(shown): EACCES (read-only attribute)") }
        do {
            _ = try attribute.write(Array(text.utf8))
        } catch {
            throw ControlError.store(shown, error)
        }
    }
}
