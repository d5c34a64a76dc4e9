import SystemPackage
import SysfsTree

extension Host {
    /// Calls `observer` with the new state after every lifecycle change that
    /// succeeded (mdev create/remove, sriov_numvfs, sriov_drivers_autoprobe, a
    /// driver's persistent setting), under the host's lock and before the
    /// write that caused it returns, so the observer sees changes in order.
    public func observeState(_ observer: (@Sendable (PersistentState) -> Void)?) {
        stateObserver.withLock { $0 = observer }
    }

    /// Tells the observer about a change; drivers call it after a store changed
    /// a setting they report in `persistentSettings(of:)`.
    public func noteStateChange() {
        lock.withLock {
            guard let observer = stateObserver.withLock({ $0 }) else { return }
            observer(persistentState())
        }
    }

    /// The state as it is now.
    public func persistentState() -> PersistentState {
        lock.withLock {
            let functions = devices
            return PersistentState(
                physicalFunctions: functions.compactMap { device in
                    guard !device.isVirtualFunction, let sriov = device.sriov else { return nil }
                    return .init(address: device.address.description, numVFs: sriov.numVFs,
                                 driversAutoprobe: sriov.autoprobe)
                },
                driverSettings: functions.compactMap { device in
                    guard let settings = device.driver?.persistentSettings(of: device), !settings.isEmpty else { return nil }
                    return .init(address: device.address.description, settings: settings)
                },
                mdevs: mdevs.map { .init(uuid: $0.uuid.description, parent: $0.parent.address.description, type: $0.typeID) })
        }
    }

    /// Puts `state` back through the stores a user would write: each PF's
    /// autoprobe, the settings of functions that exist from the start, the VF
    /// counts, the settings of VFs, then the mdevs. Returns one line per item
    /// that could not be restored.
    public func restore(_ state: PersistentState) -> [String] {
        var problems: [String] = []
        func write(_ path: String, _ text: String) {
            guard let attribute = root.resolve(path) as? Attribute else {
                problems.append("\(path): no such attribute")
                return
            }
            do throws(Errno) {
                _ = try attribute.write(Array(text.utf8))
            } catch {
                problems.append("\(path) ← \(text): \(error)")
            }
        }
        guard state.version == PersistentState().version else {
            return ["state version \(state.version), this fakesysfs keeps version \(PersistentState().version)"]
        }
        func restoreSettings(_ entry: PersistentState.DriverSettings) {
            guard let address = PCIAddress(entry.address), let device = device(address), let driver = device.driver else {
                problems.append("\(entry.address): no such device with a driver")
                return
            }
            do throws(Errno) {
                try driver.restoreSettings(entry.settings, of: device)
            } catch {
                problems.append("\(entry.address) settings \(entry.settings): \(error)")
            }
        }
        var pfs: [(PCIDevice, PersistentState.PhysicalFunction)] = []
        for function in state.physicalFunctions {
            guard let address = PCIAddress(function.address), let pf = device(address) else {
                problems.append("\(function.address): no such device")
                continue
            }
            write(pf.directory.path + "/sriov_drivers_autoprobe", function.driversAutoprobe ? "1" : "0")
            pfs.append((pf, function))
        }
        let existing = Set(devices.map(\.address.description))
        for entry in state.driverSettings where existing.contains(entry.address) { restoreSettings(entry) }
        for (pf, function) in pfs where function.numVFs > 0 {
            write(pf.directory.path + "/sriov_numvfs", String(function.numVFs))
        }
        for entry in state.driverSettings where !existing.contains(entry.address) { restoreSettings(entry) }
        for mdev in state.mdevs {
            guard let address = PCIAddress(mdev.parent), let parent = device(address) else {
                problems.append("\(mdev.uuid): parent \(mdev.parent) does not exist")
                continue
            }
            write(parent.directory.path + "/mdev_supported_types/" + mdev.type + "/create", mdev.uuid)
        }
        return problems
    }
}
