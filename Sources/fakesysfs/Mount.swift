import ArgumentParser
import DriverCatalog
import FuseServer
import Harness
import KernelCore
import Scenario
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

struct Mount: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mount a simulated /sys at MOUNTPOINT.",
        discussion: """
            MOUNTPOINT becomes the equivalent of /sys: MOUNTPOINT/bus/pci/devices/... \
            A scenario with several hosts gives each its own /sys at MOUNTPOINT/<host>/. \
            The whole scenario is checked before anything is mounted. \
            A missing MOUNTPOINT is created (as `mkdir -p` would). \
            Without --foreground the command returns once the tree is served and leaves \
            the server running in the background, printing one line: what it serves, where \
            its log is (the reasons for refused writes, as the kernel's dmesg has them) and \
            how to stop it (`fakesysfs unmount`).

            Example:
              fakesysfs mount /tmp/sys
              cat /tmp/sys/bus/pci/devices/0000:00:02.0/vendor
              fakesysfs unmount /tmp/sys
              fakesysfs mount --scenario scenarios/driver-upgrade.yaml /tmp/fleet
              ls /tmp/fleet/source/bus/pci/devices /tmp/fleet/target/bus/pci/devices
            """)

    @Option(help: "A scenario file (YAML) describing the hosts; without it, one host with one device per driver.")
    var scenario: String?

    @Flag(help: "Serve in the foreground until SIGINT or SIGTERM.")
    var foreground = false

    @Flag(help: "Let users other than the mounting one in (with the kernel checking modes).")
    var allowOther = false

    @Option(help: ArgumentHelp("Keep the runtime state (mdevs, VF counts, driver settings) in FILE, restoring it at the next mount with the same FILE.", valueName: "FILE"))
    var state: String?

    @Option(help: "Where the background server writes its log (without it: MOUNTPOINT's own file in /run/fakesysfs for root, $XDG_RUNTIME_DIR/fakesysfs or /tmp/fakesysfs-UID otherwise, private to the user; the mount prints it).")
    var log: String?

    @Option(name: .customLong("trace"), help: "Write an access trace to FILE: one JSON line per open for writing, write, read, readdir, readlink, uevent and control command (see `fakesysfs trace`).")
    var traceFile: String?

    @Flag(help: "With --trace, also record lookups, getattr and opens for reading.")
    var traceLookups = false

    @Option(help: .hidden)
    var readyFD: Int32?

    @Argument(help: "An empty directory; created when missing.")
    var mountpoint: String

    func run() throws {
        let prepared = try MountPoint.prepare(mountpoint)
        do {
            if foreground {
                try serve(at: prepared.path)
            } else {
                let started = try Daemon.start(arguments: CommandLine.arguments, mountpoint: prepared.path, log: log)
                print("serving \(started.summary) at \(prepared.path); log: \(started.logPath); "
                      + "stop with: fakesysfs unmount \(prepared.path)")
            }
        } catch {
            prepared.removeCreated()
            throw error
        }
    }

    /// What the mount serves, in the one line `mount` prints.
    private func servedSummary(_ scenario: Scenario) -> String {
        "\(self.scenario ?? "the default host") (\(scenario.summary))"
    }

    /// The kernel's log: the server log, and the reason a traced or controlled operation was refused.
    static let kernelLog: @Sendable (String) -> Void = { message in
        Log.write(message)
        KernelMessages.record(message)
    }

    private func serve(at target: String) throws {
        if let readyFD { Daemon.closeOnExec(readyFD) }
        let loaded: (scenario: Scenario, hosts: [DeclaredHost])
        do {
            loaded = try DriverCatalog.loadDeclaredScenario(scenario, log: Mount.kernelLog)
            // The faults it declares are checked here too, so a bad one is the scenario's fault (status 2).
            _ = try loaded.hosts.map { declared throws(ControlError) in try HostDeclaration(declared) }
        } catch {
            if let readyFD { Daemon.signalFailure(readyFD, "\(error)", unusable: true) }
            throw CommandFailure.unusable("\(error)")
        }
        Log.write("serving \(servedSummary(loaded.scenario)) at \(target)")
        do throws(StateFile.Failure) {
            if let state { try StateFile.attach(path: state, to: loaded.scenario.hosts) }
        } catch {
            if let readyFD { Daemon.signalFailure(readyFD, error.description) }
            throw CommandFailure(error.description)
        }
        do {
            var options = FuseServer.Options()
            options.allowOther = allowOther
            let trace = try traceFile.map { path in
                try AccessTrace(path: path, includeLookups: traceLookups, log: { Log.write($0) })
            }
            let hooks = HarnessHooks(trace: trace, log: { Log.write($0) })
            let hangup = HangupTarget()
            options.onHangup = { hangup.reload() }
            let server = FuseServer(root: loaded.scenario.root, options: options, hooks: hooks) { message in
                Log.write(message)
            }
            let control = try LiveControl.start(loaded, scenarioFile: scenario, server: server, hooks: hooks,
                                                socketPath: try ControlSocketPath.forServer(mountpoint: target),
                                                hangup: hangup)
            defer { control.stop() }
            // The hosts own the devices whose directories the tree shows: keep them while serving.
            try withExtendedLifetime(loaded) {
                try server.run(mountpoint: target) {
                    if let readyFD { Daemon.signalReady(readyFD, summary: servedSummary(loaded.scenario)) }
                }
            }
        } catch {
            if let readyFD { Daemon.signalFailure(readyFD, "\(error)") }
            throw CommandFailure("\(error)")
        }
    }
}
