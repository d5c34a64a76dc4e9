import ArgumentParser
import DriverCatalog
import FuseServer
import Harness
import HostOS
import KernelCore
import Scenario
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run COMMAND with the simulated tree as its /sys, in private namespaces.",
        discussion: """
            Serves the simulated tree and runs COMMAND in private mount, network and PID \
            namespaces where the tree is bound over /sys, empty scratch directories are \
            bound over /etc/mdevctl.d (with scripts.d/callouts and scripts.d/notifiers) \
            and over /usr/lib/mdevctl/scripts.d where those exist, and device changes \
            (mdev create and remove, sriov_numvfs, bind, unbind) are broadcast as udev \
            uevents to libudev monitors such as libvirt's. Unmodified tools that \
            hard-code /sys (mdevctl, libvirtd, lspci, udevadm) work against it. \
            Nothing reaches the host: not the mounts, not the uevents, not a write to its /sys.

            What the simulation does not own (block, dev, firmware, fs without the cgroups, \
            power, kernel/mm) is the real host's, read-only; class/net shows the private \
            network namespace, whose lo is up. Users other than root get in with the \
            kernel's permission model: attributes are world-readable, writes need the \
            file's mode, and config reads stop at 64 bytes without CAP_SYS_ADMIN.

            COMMAND is the first process of its PID namespace's child (the namespace's \
            own /proc is mounted): when it exits, what it left running is stopped \
            (SIGTERM, then SIGKILL), and if `run` itself is killed, even with SIGKILL, \
            the whole namespace dies with it. No file is left on the host.

            With --scenario, the hosts are the scenario's; with several, --host names \
            the one whose tree becomes /sys (the others are served too, for ctl). \
            COMMAND finds the control socket in FAKESYSFS_CONTROL \
            (`fakesysfs ctl --socket "$FAKESYSFS_CONTROL" status`), and gets \
            SYSTEMD_DEVICE_VERIFY_SYSFS=0 unless the variable is already set: libudev \
            (systemd 252 in Debian 12) otherwise ignores every device whose /sys is not \
            the kernel's sysfs. Needs root.

            Exit status: COMMAND's, or 128 + the signal that killed it; 127 if COMMAND \
            cannot be executed; 125 if fakesysfs itself fails.

            Examples:
              fakesysfs run -- mdevctl types
              fakesysfs run --scenario scenarios/driver-upgrade.yaml --host target -- ls /sys/bus/pci/devices
              fakesysfs run -- sh -c 'mdevctl start -p 0000:00:02.0 -t i915-GVTg_V5_4 && mdevctl list'
            """)

    @Option(help: "A scenario file (YAML) describing the hosts; the embedded default host without it.")
    var scenario: String?

    @Option(help: ArgumentHelp("With several hosts, the one whose tree becomes /sys.", valueName: "NAME"))
    var host: String?

    @Option(help: ArgumentHelp("Use the server of a `fakesysfs mount` at MOUNTPOINT instead of serving: several runs (one per host) share its trees, each with its own namespaces and that host's uevents.", valueName: "MOUNTPOINT"))
    var attach: String?

    @Option(help: ArgumentHelp("Keep the runtime state (mdevs, VF counts, driver settings) in FILE, restoring it at the next run or mount with the same FILE.", valueName: "FILE"))
    var state: String?

    @Option(name: .customLong("trace"), help: ArgumentHelp("Write an access trace to FILE (see `fakesysfs trace`).", valueName: "FILE"))
    var traceFile: String?

    @Flag(help: "With --trace, also record lookups, getattr and opens for reading.")
    var traceLookups = false

    @Option(help: ArgumentHelp("Where to make the control socket; without it, run-PID-….sock in the private runtime directory (as for mount).", valueName: "PATH"))
    var control: String?

    @Flag(help: .hidden)
    var allowOther = false

    @Option(help: "Where the server writes its log (refused writes, uevents it could not send); standard error without it.")
    var log: String?

    @Argument(parsing: .postTerminator, help: "The command to run and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command to run after --") }
        if attach != nil, scenario != nil || state != nil || traceFile != nil || control != nil {
            throw ValidationError("with --attach, the mount's server has the scenario, state, trace and control socket")
        }
    }

    func run() throws {
        do {
            throw ExitCode(try execute())
        } catch let failure as RunFailure {
            printError(failure.description)
            throw ExitCode(125)
        }
    }

    private func execute() throws(RunFailure) -> Int32 {
        if let attach { return try executeAttached(to: attach) }
        let logFD = try openLog()
        defer { if logFD != STDERR_FILENO { close(logFD) } }
        let serverLog: @Sendable (String) -> Void = { message in
            Log.write(message, to: logFD)
            KernelMessages.record(message)
        }
        let loaded: (scenario: Scenario, hosts: [DeclaredHost])
        do {
            loaded = try DriverCatalog.loadDeclaredScenario(scenario, log: serverLog)
        } catch {
            throw RunFailure("\(error)")
        }
        let host = try RunHost.choose(host, among: loaded.scenario.hosts)
        // The tree's attributes reach the hosts and their devices weakly: keep them until the end.
        defer { withExtendedLifetime(loaded) {} }
        do throws(StateFile.Failure) {
            if let state { try StateFile.attach(path: state, to: loaded.scenario.hosts) }
        } catch {
            throw RunFailure(error.description)
        }
        let trace: AccessTrace?
        let socketPath: String
        do {
            trace = try traceFile.map { path in try AccessTrace(path: path, includeLookups: traceLookups) }
            socketPath = try control ?? ControlSocketPath.forServer(mountpoint: "run-\(getpid())")
        } catch {
            throw RunFailure("\(error)")
        }

        CommandProcess.blockSignals()
        let sandbox = try Sandbox.enter()
        defer { sandbox.remove() }
        do {
            _ = try MountPoint.validate(sandbox.mountpoint)
        } catch {
            throw RunFailure("\(error)")
        }
        let sink: NetlinkUEventSink
        do {
            sink = try NetlinkUEventSink(outsideOf: sandbox.origin, log: serverLog)
        } catch {
            throw RunFailure("\(error)")
        }
        try Loopback.bringUp()

        var options = FuseServer.Options()
        // The mount exists only in the private namespace: every user in it gets in, as in /sys.
        options.allowOther = true
        options.autoUnmount = false
        let hooks = HarnessHooks(trace: trace, log: serverLog)
        let server = FuseServer(root: loaded.scenario.root, options: options, hooks: hooks, log: serverLog)
        let thread = try ServerThread.start(server, at: sandbox.mountpoint)
        var served = stat()
        stat(sandbox.mountpoint, &served)
        var mounts = [sandbox.mountpointHandle]
        defer { thread.stop(unmounting: mounts) { sandbox.abortConnection(device: served.st_dev) } }
        let live: LiveControl
        do {
            live = try LiveControl.start(loaded, scenarioFile: scenario, server: server, hooks: hooks,
                                         socketPath: socketPath, hangup: HangupTarget(), log: serverLog)
        } catch {
            throw RunFailure("\(error)")
        }
        defer { live.stop() }
        _ = live.system.uevents[host.name]?.add(sink)

        let tree = sandbox.mountpoint + (loaded.scenario.hosts.count > 1 ? "/" + host.name : "")
        mounts = try sandbox.bindOverHost(tree: tree, log: serverLog) + mounts

        if let signal = CommandProcess.pendingTermination() { return 128 + signal }
        let (pid, liveness) = try NamespaceInit.spawn(command, environment: environment(controlSocket: socketPath))
        defer { close(liveness) }
        return CommandProcess.wait(for: pid)
    }

    /// The command over one host of a running mount: no server of its own.
    private func executeAttached(to mountpoint: String) throws(RunFailure) -> Int32 {
        let logFD = try openLog()
        defer { if logFD != STDERR_FILENO { close(logFD) } }
        let attached = try AttachedMount.resolve(mountpoint, host: host)
        CommandProcess.blockSignals()
        let sandbox = try Sandbox.enter()
        defer { sandbox.remove() }
        let reply = ControlClient.send(ControlRequest(arguments: [RunAttachments.verb, attached.host, String(getpid())]),
                                       to: attached.socket)
        guard reply.status == 0 else { throw RunFailure("the server of \(mountpoint) refused the run: \(reply.error)") }
        try Loopback.bringUp()
        let mounts = try sandbox.bindOverHost(tree: attached.tree) { Log.write($0, to: logFD) }
        defer { Sandbox.unmount(mounts) }
        if let signal = CommandProcess.pendingTermination() { return 128 + signal }
        let (pid, liveness) = try NamespaceInit.spawn(command, environment: environment(controlSocket: attached.socket))
        defer { close(liveness) }
        return CommandProcess.wait(for: pid)
    }

    private func openLog() throws(RunFailure) -> Int32 {
        guard let log else { return STDERR_FILENO }
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RunFailure("cannot open the log \(log)", errno) }
        return fd
    }

    /// One line on standard error, as ArgumentParser reports a failure.
    private func printError(_ message: String) {
        _ = "Error: \(message)\n".withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    private func environment(controlSocket: String) -> [String] {
        var variables = CommandProcess.currentEnvironment().filter { !$0.hasPrefix("FAKESYSFS_CONTROL=") }
        if !variables.contains(where: { $0.hasPrefix("SYSTEMD_DEVICE_VERIFY_SYSFS=") }) {
            variables.append("SYSTEMD_DEVICE_VERIFY_SYSFS=0")
        }
        variables.append("FAKESYSFS_CONTROL=" + controlSocket)
        return variables
    }
}
