import KernelCore
import Support

/// A host's uevent sink under the harness: every event goes to the recorder
/// (trace and control replies) and to the listeners added later, such as the
/// private netlink socket of each `fakesysfs run` of that host.
public final class UEventFanout: UEventSink, Sendable {
    private let recorder: any UEventSink
    private let listeners = Locked<(next: Int, sinks: [Int: any UEventSink])>((0, [:]))

    init(recorder: any UEventSink) {
        self.recorder = recorder
    }

    /// Adds `sink`; the returned number takes it away again.
    public func add(_ sink: any UEventSink) -> Int {
        listeners.withLock { state in
            state.next += 1
            state.sinks[state.next] = sink
            return state.next
        }
    }

    public func remove(_ number: Int) {
        _ = listeners.withLock { $0.sinks.removeValue(forKey: number) }
    }

    public func emit(_ event: UEvent) {
        recorder.emit(event)
        let sinks = listeners.withLock { state in state.sinks.keys.sorted().compactMap { state.sinks[$0] } }
        sinks.forEach { $0.emit(event) }
    }
}
