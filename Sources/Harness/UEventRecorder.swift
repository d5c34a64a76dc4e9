import KernelCore
import Support
import SysfsTree

/// The uevent sink the harness puts on each host: every event goes to the
/// access trace, and those sent while a control command runs are also kept
/// for its reply.
final class UEventRecorder: UEventSink, Sendable {
    private final class Collector: Sendable {
        let events = Locked<[UEvent]>([])
    }

    @TaskLocal private static var collector: Collector?

    let hostName: String?
    let trace: AccessTrace?

    init(hostName: String?, trace: AccessTrace?) {
        self.hostName = hostName
        self.trace = trace
    }

    func emit(_ event: UEvent) {
        UEventRecorder.collector?.events.withLock { $0.append(event) }
        if let trace {
            var record = TraceRecord(operation: "uevent", path: event.devpath, host: hostName)
            record.action = event.action.rawValue
            record.subsystem = event.subsystem
            trace.record(record)
        }
    }

    /// Runs `body` and returns the uevents any host sent meanwhile on this thread.
    static func capture<T>(_ body: () -> T) -> (value: T, events: [UEvent]) {
        let collector = Collector()
        let value = $collector.withValue(collector) { body() }
        return (value, collector.events.withLock { $0 })
    }
}
