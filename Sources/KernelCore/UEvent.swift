/// A kobject uevent as the kernel would broadcast it (`KOBJ_ADD`, ...).
public struct UEvent: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case add, remove, change, move, online, offline, bind, unbind
    }

    public let action: Action
    /// The device path below `/sys`, e.g. `/devices/pci0000:00/0000:00:02.0`.
    public let devpath: String
    public let subsystem: String
    /// `KEY=value` pairs after ACTION, DEVPATH and SUBSYSTEM, in order.
    public let properties: [(String, String)]

    public init(action: Action, devpath: String, subsystem: String, properties: [(String, String)] = []) {
        self.action = action
        self.devpath = devpath
        self.subsystem = subsystem
        self.properties = properties
    }

    public static func == (lhs: UEvent, rhs: UEvent) -> Bool {
        lhs.action == rhs.action && lhs.devpath == rhs.devpath && lhs.subsystem == rhs.subsystem
            && lhs.properties.map { $0.0 + "=" + $0.1 } == rhs.properties.map { $0.0 + "=" + $0.1 }
    }
}

/// Where a host's uevents go: nowhere by default, a private netlink socket under `fakesysfs run`.
public protocol UEventSink: Sendable {
    func emit(_ event: UEvent)
}
