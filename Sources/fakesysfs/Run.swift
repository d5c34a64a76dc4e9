import ArgumentParser
import DriverCatalog
import FuseServer
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
            Serves the simulated tree and runs COMMAND in a private mount and network \
            namespace where the tree is bound over /sys, empty scratch directories are \
            bound over /etc/mdevctl.d (with scripts.d/callouts and scripts.d/notifiers) \
            and over /usr/lib/mdevctl/scripts.d where those exist, and device changes \
            (mdev create and remove, sriov_numvfs, bind, unbind) are broadcast as udev \
            uevents to libudev monitors such as libvirt's. Unmodified tools that \
            hard-code /sys (mdevctl, libvirtd, lspci, udevadm) work against it. \
            Nothing reaches the host: not the mounts, not the uevents, not a write to its /sys.

            COMMAND gets SYSTEMD_DEVICE_VERIFY_SYSFS=0 in its environment unless the \
            variable is already set: libudev (systemd 252 in Debian 12) otherwise ignores every \
            device whose /sys is not the kernel's sysfs. Processes COMMAND leaves \
            running in the namespace are stopped (SIGTERM, then SIGKILL) when it exits. \
            Needs root.

            Exit status: COMMAND's, or 128 + the signal that killed it; 127 if COMMAND \
            cannot be executed; 125 if fakesysfs itself fails.

            With --scenario, the hosts are the scenario's; with several, --host names \
            the one whose tree becomes /sys (the others are served too, for ctl).

            Examples:
              fakesysfs run -- mdevctl types
              fakesysfs run --scenario scenarios/driver-upgrade.yaml --host target -- ls /sys/bus/pci/devices
              fakesysfs run -- sh -c 'mdevctl start -p 0000:00:02.0 -t i915-GVTg_V5_4 && mdevctl list'
            """)

    @Option(help: "A scenario file (YAML) describing the hosts; the embedded default host without it.")
    var scenario: String?

    @Option(help: ArgumentHelp("With a scenario of several hosts, the one whose tree becomes /sys.", valueName: "NAME"))
    var host: String?

    @Flag(help: "Let users other than root in (with the kernel checking modes), for a COMMAND that drops privileges.")
    var allowOther = false

    @Option(help: "Where the server writes its log (refused writes, uevents it could not send); standard error without it.")
    var log: String?

    @Argument(parsing: .postTerminator, help: "The command to run and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command to run after --") }
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
        CommandProcess.blockSignals()
        let sandbox = try Sandbox.enter()
        defer {
            sandbox.remove()
            CommandProcess.reapAllChildren(withinSeconds: 2)
        }
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
        host.setUEventSink(sink)
        // The tree's attributes reach the hosts and their devices weakly: keep them until the end.
        defer { withExtendedLifetime(loaded) {} }

        var options = FuseServer.Options()
        options.allowOther = allowOther
        options.autoUnmount = false
        let server = FuseServer(root: loaded.scenario.root, options: options, log: serverLog)
        let thread = try ServerThread.start(server, at: sandbox.mountpoint)
        var served = stat()
        stat(sandbox.mountpoint, &served)
        var mounts = [sandbox.mountpointHandle]
        defer { thread.stop(unmounting: mounts) { sandbox.abortConnection(device: served.st_dev) } }
        let subtree = loaded.scenario.hosts.count > 1 ? host.name : nil
        mounts = try sandbox.bindOverHost(tree: subtree) + mounts

        if let signal = CommandProcess.pendingTermination() { return 128 + signal }
        let namespace = try currentNamespace()
        let before = Leftovers.members(of: namespace)
        let status: Int32
        switch CommandProcess.spawn(command, environment: environment()) {
        case .success(let pid):
            status = CommandProcess.wait(for: pid)
        case .failure(let error):
            printError("cannot execute \(command[0]): \(error)")
            status = 127
        }
        Leftovers.stop(in: namespace, before: before)
        return status
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

    private func currentNamespace() throws(RunFailure) -> NetworkNamespace {
        switch NetworkNamespace.ofCurrentThread() {
        case .success(let namespace): return namespace
        case .failure(let error): throw RunFailure("cannot identify the private network namespace: \(error)")
        }
    }

    private func environment() -> [String] {
        var variables: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            variables.append(String(cString: pointer))
            entry += 1
        }
        if !variables.contains(where: { $0.hasPrefix("SYSTEMD_DEVICE_VERIFY_SYSFS=") }) {
            variables.append("SYSTEMD_DEVICE_VERIFY_SYSFS=0")
        }
        return variables
    }
}
