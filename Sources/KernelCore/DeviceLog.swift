/// Where a driver reports on one device, as `dev_err` and `dev_err_ratelimited`
/// do: every line starts with the device's name (`0000:3b:00.2: …`) and goes
/// to `Host.log`. It holds the host weakly, so a driver may keep it.
public struct DeviceLog: Sendable {
    /// What starts every line, e.g. `0000:00:02.0` or `0000:00:02.0 i915-GVTg_V5_4`.
    public let subject: String
    private weak let host: Host?

    public init(_ device: PCIDevice, subject: String? = nil) {
        self.host = device.host
        self.subject = subject ?? device.address.description
    }

    public init(host: Host?, subject: String) {
        self.host = host
        self.subject = subject
    }

    public func callAsFunction(_ message: String) {
        host?.log("\(subject): \(message)")
    }

    /// For lines any writer can provoke at will (a `migration_version`
    /// string): the host's rate limit, as `dev_err_ratelimited`; `name`
    /// says whose lines were held back.
    public func ratelimited(_ message: @autoclosure () -> String, name: String) {
        guard let host else { return }
        host.refusalLog.log("\(subject): \(message())", name: name, to: host.log)
    }

    /// Tells the host a setting in `persistentSettings(of:)` changed; call
    /// it after the change, without holding the driver's own lock.
    public func stateChanged() {
        host?.noteStateChange()
    }
}
