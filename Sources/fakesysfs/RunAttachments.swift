import CLinux
import Harness
import HostOS
import KernelCore
import Support
#if canImport(Glibc)
import Glibc
#endif

/// The runs attached to a mount (`fakesysfs run --attach`): each asks the
/// mount's server, over the control socket, to send one host's uevents into
/// the run's private network namespace, where its libudev listeners are.
/// A run's socket is dropped at the first uevent after the run has ended.
final class RunAttachments: Sendable {
    static let verb = "attach-run"

    private let system: LiveSystem
    /// The namespace the server runs in, where uevents must never go.
    private let origin: NetworkNamespace?
    private let log: @Sendable (String) -> Void

    init(system: LiveSystem, log: @escaping @Sendable (String) -> Void) {
        self.system = system
        self.log = log
        if case .success(let namespace) = NetworkNamespace.ofCurrentThread() { origin = namespace } else { origin = nil }
    }

    /// The arguments of `attach-run HOST PID`: HOST may be empty for the only host of a mount.
    func attach(_ arguments: [String]) -> ControlReply {
        guard arguments.count == 2, let pid = pid_t(arguments[1]), pid > 0 else {
            return .failure("usage: \(Self.verb) HOST PID", status: 64)
        }
        let names = system.uevents.keys.sorted()
        let name = arguments[0].isEmpty && names.count == 1 ? names[0] : arguments[0]
        guard let fanout = system.uevents[name] else {
            return .failure("no host '\(name)' (hosts: \(names.joined(separator: ", ")))")
        }
        guard let origin else { return .failure("cannot identify the server's network namespace") }
        let process = clinux_pidfd_open(pid)
        guard process >= 0 else { return .failure("no process \(pid): \(String(cString: strerror(errno)))") }
        let sink: NetlinkUEventSink
        switch Self.openSink(inNamespaceOf: pid, outsideOf: origin, log: log) {
        case .success(let opened): sink = opened
        case .failure(let failure):
            close(process)
            return .failure(failure.description)
        }
        let attached = AttachedRun(sink: sink, process: process)
        attached.number.withLock { $0 = fanout.add(attached) }
        attached.detach = { [weak fanout] number in fanout?.remove(number) }
        log("run \(pid) attached to host \(name)")
        return ControlReply(output: "uevents of host \(name) go to the network namespace of process \(pid)\n")
    }

    /// A netlink socket made in `pid`'s network namespace by this thread, which then returns to its own.
    private static func openSink(inNamespaceOf pid: pid_t, outsideOf origin: NetworkNamespace,
                                 log: @escaping @Sendable (String) -> Void) -> Result<NetlinkUEventSink, RunFailure> {
        let own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        let target = open("/proc/\(pid)/ns/net", O_RDONLY | O_CLOEXEC)
        defer {
            if own >= 0 { close(own) }
            if target >= 0 { close(target) }
        }
        guard own >= 0, target >= 0 else {
            return .failure(RunFailure("cannot open the network namespace of process \(pid)", errno))
        }
        guard clinux_setns(target, Int32(CLONE_NEWNET)) == 0 else {
            return .failure(RunFailure("cannot enter the network namespace of process \(pid)", errno))
        }
        defer {
            if clinux_setns(own, Int32(CLONE_NEWNET)) != 0 {
                log("cannot return to the server's network namespace: \(String(cString: strerror(errno)))")
            }
        }
        do {
            return .success(try NetlinkUEventSink(outsideOf: origin, log: log))
        } catch {
            return .failure(RunFailure("\(error)"))
        }
    }
}

/// One attached run's socket, sending while the run lives.
private final class AttachedRun: UEventSink, @unchecked Sendable {
    let sink: NetlinkUEventSink
    /// A pidfd of the run: readable once it has exited.
    let process: Int32
    let number = Locked<Int?>(nil)
    /// Takes this sink off its host; set once, right after it was added.
    var detach: (@Sendable (Int) -> Void)?
    private let gone = Locked(false)

    init(sink: NetlinkUEventSink, process: Int32) {
        self.sink = sink
        self.process = process
    }

    deinit { close(process) }

    func emit(_ event: UEvent) {
        var poller = pollfd(fd: process, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) == 0 else {
            let first = gone.withLock { wasGone in
                defer { wasGone = true }
                return !wasGone
            }
            if first, let number = number.withLock({ $0 }) { detach?(number) }
            return
        }
        sink.emit(event)
    }
}
