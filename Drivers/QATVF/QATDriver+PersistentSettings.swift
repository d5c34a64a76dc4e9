import KernelCore
import SystemPackage

/// `mount --state`: the PF's `qat/state` and `qat/cfg_services` survive a
/// restart. They are put back before VFs are enabled, so no `must be down`
/// or busy check stands in the way.
extension QATDriver {
    static let stateSetting = "state"
    static let servicesSetting = "cfg_services"

    func persistentSettings(of device: PCIDevice) -> [String: String] {
        guard !device.isVirtualFunction else { return [:] }
        return state.withLock { [QATDriver.stateSetting: $0.up ? "up" : "down", QATDriver.servicesSetting: $0.services] }
    }

    func restoreSettings(_ settings: [String: String], of device: PCIDevice) throws(Errno) {
        guard !device.isVirtualFunction else { throw .noDevice }
        let services = settings[QATDriver.servicesSetting]
        let up = settings[QATDriver.stateSetting]
        if let services, !QATServices.accepted.contains(services) { throw .invalidArgument }
        if let up, up != "up" && up != "down" { throw .invalidArgument }
        try state.withLock { state throws(Errno) in
            guard !state.inUse else { throw .resourceBusy }
            if let services { state.services = services }
            if let up { state.up = up == "up" }
            state.publish()
        }
    }
}
