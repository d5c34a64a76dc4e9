import KernelCore
import Support

/// Lines in the order they came, from any thread.
public final class LogLines: Sendable {
    private let lines = Locked<[String]>([])

    public init() {}

    public func append(_ line: String) { lines.withLock { $0.append(line) } }
    public var all: [String] { lines.withLock { $0 } }
    public var last: String? { lines.withLock { $0.last } }
}

/// The uevents a host sent, in order.
public final class UEventLog: UEventSink {
    private let events = Locked<[UEvent]>([])

    public init() {}

    public func emit(_ event: UEvent) { events.withLock { $0.append(event) } }
    public var all: [UEvent] { events.withLock { $0 } }
    public var last: UEvent? { events.withLock { $0.last } }
}
