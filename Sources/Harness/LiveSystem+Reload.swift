import KernelCore
import SysfsTree

/// `reload` (and SIGHUP): read the scenario file again and apply what changed
/// in it since it was last read, device by device, as hot-plug, driver
/// updates, VF counts and mdev create/remove would. Changes made by control
/// commands that the file does not mention are left alone.
extension LiveSystem {
    func reload() throws(ControlError) -> String {
        guard let readScenario else {
            throw ControlError("reload: this mount has no scenario file (it was mounted without --scenario)")
        }
        let fresh = try readScenario()
        let mounted = hosts.map(\.name)
        guard mounted.sorted() == fresh.map(\.name).sorted() else {
            throw ControlError("reload: the file's hosts (\(fresh.map(\.name).joined(separator: ", "))) differ from the "
                               + "mounted ones (\(mounted.joined(separator: ", "))); hosts cannot come or go while mounted")
        }
        var done: [String] = []
        for live in hosts {
            guard let declaration = fresh.first(where: { $0.name == live.name }) else { continue }
            do {
                try apply(declaration, to: live, done: &done)
            } catch {
                let progress = done.isEmpty ? "" : " (after: " + done.joined(separator: "; ") + ")"
                throw ControlError("reload: \(error)\(progress)")
            }
        }
        faults.replaceScenarioRules(fresh.flatMap { host in host.faults.map { scoped($0, to: host.name) } })
        let faultCount = fresh.reduce(0) { $0 + $1.faults.count }
        done.append("\(faultCount) scenario fault\(faultCount == 1 ? "" : "s") in force")
        return "reloaded: " + done.joined(separator: "; ")
    }

    private func apply(_ new: HostDeclaration, to live: LiveHost, done: inout [String]) throws(ControlError) {
        let old = live.declared
        let prefix = isMultiHost ? live.name + ": " : ""
        let flavoursChanged = old.context.flavours != new.context.flavours
        live.context = new.context
        let oldDevices = Dictionary(old.devices.map { ($0.address, $0) }, uniquingKeysWith: { $1 })
        let newDevices = Dictionary(new.devices.map { ($0.address, $0) }, uniquingKeysWith: { $1 })

        for declaration in old.devices where newDevices[declaration.address] == nil {
            if let device = live.host.device(declaration.address) {
                try unplug(device, on: live)
                done.append(prefix + "unplugged \(declaration.address)")
            }
        }
        for declaration in new.devices {
            guard let previous = oldDevices[declaration.address] else {
                try plug(declaration, on: live)
                done.append(prefix + "plugged \(declaration.address) (\(declaration.driver))")
                continue
            }
            guard let device = live.host.device(declaration.address) else {
                try plug(declaration, on: live)
                done.append(prefix + "plugged \(declaration.address) again (\(declaration.driver))")
                continue
            }
            if previous.driver != declaration.driver || previous.maker?.source != declaration.maker?.source || flavoursChanged {
                try replug(device, with: declaration, on: live)
                done.append(prefix + "replugged \(declaration.address) (\(declaration.driver))")
                continue
            }
            if !previous.settings.sameValues(as: declaration.settings) {
                do {
                    try update(device, to: declaration.settings, driverName: declaration.driver, on: live)
                    live.declarations[declaration.address]?.settings = declaration.settings
                    done.append(prefix + "updated \(declaration.address): " + describe(declaration.settings))
                } catch {
                    try replug(device, with: declaration, on: live)
                    done.append(prefix + "replugged \(declaration.address) (\(error))")
                    continue
                }
            }
            let (before, after) = (effectiveVFs(previous, on: live), effectiveVFs(declaration, on: live))
            if before != after {
                try setVFs(after, on: device)
                live.declarations[declaration.address]?.vfs = after
                done.append(prefix + "\(declaration.address): \(after) VFs")
            }
            try applyMdevs(from: previous.mdevs, to: declaration.mdevs, on: device, live: live, prefix: prefix, done: &done)
        }
        live.declared = new
    }

    /// The VFs a declaration asks for: `vfs`, else the driver's `initial_vfs` setting.
    private func effectiveVFs(_ declaration: DeviceDeclaration, on live: LiveHost) -> Int {
        if declaration.vfs > 0 { return declaration.vfs }
        let maker = declaration.maker ?? drivers(declaration.driver).map { DriverMaker($0) }
        let made = try? maker?.make(address: declaration.address, settings: declaration.settings,
                                                          context: live.context)
        return made?.spec.initialVFs ?? 0
    }

    private func replug(_ device: PCIDevice, with declaration: DeviceDeclaration, on live: LiveHost) throws(ControlError) {
        try unplug(device, on: live)
        try plug(declaration, on: live)
    }

    private func applyMdevs(from old: [DeviceDeclaration.Mdev], to new: [DeviceDeclaration.Mdev], on device: PCIDevice,
                            live: LiveHost, prefix: String, done: inout [String]) throws(ControlError) {
        for mdev in old where !new.contains(mdev) {
            guard let uuid = MdevUUID(mdev.uuid), let directory = live.host.mdev(uuid)?.directory else { continue }
            try store("1", at: "remove", in: directory, shownAs: directory.path + "/remove")
            done.append(prefix + "removed mdev \(mdev.uuid)")
        }
        for mdev in new where !old.contains(mdev) {
            try store(mdev.uuid, at: "mdev_supported_types/\(mdev.type)/create", in: device.directory,
                      shownAs: device.directory.path + "/mdev_supported_types/\(mdev.type)/create")
            done.append(prefix + "created mdev \(mdev.uuid) (\(mdev.type))")
        }
    }
}
