import Foundation
import KernelCore
import SysfsTree

/// Hot-plug, hot-unplug and driver settings.
extension LiveSystem {
    func plug(_ command: ControlCommands.Plug) throws(ControlError) -> String {
        let live = try host(named: command.choice.host, address: nil)
        let address = try address(command.address)
        let parsed: (set: [String: DriverSettings.Value], removed: [String])
        do {
            parsed = try SettingArguments.parse(command.settings)
        } catch {
            throw ControlError(error.description)
        }
        let declaration = DeviceDeclaration(address: address, driver: command.driver, settings: DriverSettings(parsed.set))
        try plug(declaration, on: live)
        return "plugged \(address) (\(command.driver)) into \(live.name)"
    }

    /// Builds the function with its driver's factory and adds it, with its VFs, at free addresses only.
    func plug(_ declaration: DeviceDeclaration, on live: LiveHost) throws(ControlError) {
        guard let factory = declaration.maker ?? drivers(declaration.driver).map({ DriverMaker($0) }) else {
            throw ControlError("unknown driver '\(declaration.driver)' (drivers: \(driverNames.joined(separator: ", ")))")
        }
        var made: (spec: DeviceSpec, driver: any VendorDriver)
        do {
            made = try factory.make(address: declaration.address, settings: declaration.settings, context: live.context)
        } catch {
            throw ControlError("\(declaration.driver) at \(declaration.address): setting \(error)")
        }
        let vfs = declaration.vfs > 0 ? declaration.vfs : made.spec.initialVFs
        made.spec.initialVFs = 0
        var needed = [declaration.address]
        if vfs > 0 {
            guard let sriov = made.spec.sriov, vfs <= Int(sriov.totalVFs) else {
                throw ControlError("\(declaration.address) cannot have \(vfs) VFs")
            }
            for index in 0..<vfs {
                guard let address = declaration.address.advanced(by: Int(sriov.offset) + Int(sriov.stride) * index) else {
                    throw ControlError("VF \(index) of \(declaration.address) would lie past bus ff")
                }
                needed.append(address)
            }
        }
        if let taken = needed.first(where: { live.host.device($0) != nil }) {
            throw ControlError("\(taken) is already present on host \(live.name)")
        }
        let device = live.host.addDevice(made.spec, driver: made.driver)
        var recorded = declaration
        recorded.vfs = vfs
        live.declarations[declaration.address] = recorded
        if vfs > 0 {
            try store(String(vfs), at: "sriov_numvfs", in: device.directory, shownAs: device.directory.path + "/sriov_numvfs")
        }
        for mdev in declaration.mdevs {
            try store(mdev.uuid, at: "mdev_supported_types/\(mdev.type)/create", in: device.directory,
                      shownAs: device.directory.path + "/mdev_supported_types/\(mdev.type)/create")
        }
    }

    func unplug(_ command: ControlCommands.Unplug) throws(ControlError) -> String {
        let live = try host(named: command.choice.host, address: command.address)
        let device = try device(command.address, on: live)
        try unplug(device, on: live)
        return "unplugged \(device.address) from \(live.name)"
    }

    /// Hot-unplug through the function's own `remove` attribute.
    func unplug(_ device: PCIDevice, on live: LiveHost) throws(ControlError) {
        if let pf = device.physicalFunction {
            throw ControlError("\(device.address) is a VF of \(pf.address): change the PF's VF count instead (set-vfs)")
        }
        try store("1", at: "remove", in: device.directory, shownAs: device.directory.path + "/remove")
        live.declarations[device.address] = nil
    }

    func update(_ command: ControlCommands.Update) throws(ControlError) -> String {
        let live = try host(named: command.choice.host, address: command.address)
        let device = try device(command.address, on: live)
        guard !command.settings.isEmpty else { throw ControlError("give the settings to change, KEY=VALUE") }
        let parsed: (set: [String: DriverSettings.Value], removed: [String])
        do {
            parsed = try SettingArguments.parse(command.settings)
        } catch {
            throw ControlError(error.description)
        }
        guard var declaration = live.declarations[device.address] else {
            throw ControlError("\(device.address) was not made by a driver factory: its settings are unknown")
        }
        var settings = declaration.settings
        for (key, value) in parsed.set { settings.values[key] = value }
        for key in parsed.removed { settings.values[key] = nil }
        try update(device, to: settings, driverName: declaration.driver, on: live)
        declaration.settings = settings
        live.declarations[device.address] = declaration
        return "updated \(device.address) (\(declaration.driver)): " + describe(settings)
    }

    /// Hands the driver its new settings under the host's lock; if the mdev types it
    /// offers change, the device is unbound and bound again, as a driver reload would.
    /// Settings that would make another PCI function (its IDs, BARs, SR-IOV
    /// capability, kernel driver) are refused: that takes an unplug and a plug.
    func update(_ device: PCIDevice, to settings: DriverSettings, driverName: String,
                on live: LiveHost) throws(ControlError) {
        if let pf = device.physicalFunction {
            throw ControlError("\(device.address) is a VF of \(pf.address): update the PF")
        }
        guard let driver = device.driver else { throw ControlError("\(device.address) has no vendor driver") }
        guard let factory = live.declarations[device.address]?.maker ?? drivers(driverName).map({ DriverMaker($0) }) else {
            throw ControlError("unknown driver '\(driverName)'")
        }
        let fresh: DeviceSpec
        do {
            fresh = try factory.make(address: device.address, settings: settings, context: live.context).spec
        } catch {
            throw ControlError("\(device.address): cannot update: \(error)")
        }
        if let difference = LiveSystem.functionDifference(device.spec, fresh) {
            throw ControlError("\(device.address): cannot update: the \(difference) would change; unplug and plug it instead")
        }
        let host = live.host
        let typesBefore = mdevTypeNames(of: device)
        do {
            try host.lock.withLock { () throws(SettingsError) in
                try driver.update(settings: settings)
                // Settings a driver persists (QAT services and state) may have changed.
                host.noteStateChange()
            }
        } catch {
            throw ControlError("\(device.address): cannot update: \(error)")
        }
        guard let kernelDriver = device.kernelDriver else { return }
        let typesAfter = Set(driver.mdevTypes(of: device).map { kernelDriver + "-" + $0.name })
        if typesBefore != typesAfter && !(typesBefore.isEmpty && typesAfter.isEmpty) {
            host.unbind(device, from: kernelDriver)
            host.emit(UEvent(action: .unbind, devpath: device.directory.path, subsystem: "pci",
                             properties: device.ueventProperties))
            host.bind(device, to: kernelDriver)
            host.emit(UEvent(action: .bind, devpath: device.directory.path, subsystem: "pci",
                             properties: device.ueventProperties))
        }
    }

    /// What makes two specs different PCI functions, named; nil when only driver state differs
    /// (`initialVFs` counts only when a device is added).
    static func functionDifference(_ current: DeviceSpec, _ fresh: DeviceSpec) -> String? {
        if current.identity != fresh.identity { return "PCI identity" }
        if current.bars != fresh.bars { return "BAR layout" }
        if current.sriov != fresh.sriov { return "SR-IOV capability" }
        if current.kernelDriver != fresh.kernelDriver { return "kernel driver" }
        return nil
    }

    private func mdevTypeNames(of device: PCIDevice) -> Set<String> {
        Set(((device.directory.child("mdev_supported_types") as? Directory)?.list() ?? []).map(\.name))
    }

    func describe(_ settings: DriverSettings) -> String {
        let pairs = settings.values.sorted { $0.key < $1.key }.map { key, value -> String in
            switch value {
            case .string(let text): return "\(key)=\(text)"
            case .integer(let number): return "\(key)=\(number)"
            case .boolean(let flag): return "\(key)=\(flag)"
            case .list(let items): return "\(key)=[\(items.joined(separator: ","))]"
            }
        }
        return pairs.isEmpty ? "(driver defaults)" : pairs.joined(separator: " ")
    }
}
