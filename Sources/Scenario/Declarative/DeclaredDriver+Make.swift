import Compatibility
import KernelCore

extension DeclaredDriver {
    /// Builds the function at `address` from a scenario's settings, as a built-in factory does.
    public func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        let values = try resolve(settings)
        var spec = DeviceSpec(address: address, identity: identity, kernelDriver: kernelDriver,
                              bars: bars.map { BAR(size: $0) })
        spec.link = link
        if let sriov {
            let total = try settings.integer("total_vfs", default: sriov.totalVFs, in: 1...sriov.maxVFs)
            spec.sriov = SRIOVCapability(totalVFs: UInt16(clamping: total), offset: sriov.offset, stride: sriov.stride,
                                         vfDevice: sriov.vfDevice, vfDriver: sriov.vfDriver)
            spec.initialVFs = try settings.integer("initial_vfs", default: 0, in: 0...total)
        }
        return (spec, DeclaredVendorDriver(self, values: values, flavours: context.flavours))
    }

    /// The declared settings' values: the scenario's, else the defaults; unknown keys refused.
    func resolve(_ settings: DriverSettings) throws(SettingsError) -> Resolved {
        try settings.checkKeys(settingsHelp.map(\.key))
        var values: [String: DeclaredValue] = [:]
        for setting in self.settings {
            guard let given = settings.values[setting.name] else {
                values[setting.name] = setting.defaultValue
                continue
            }
            values[setting.name] = try setting.value(from: given).get()
        }
        return Resolved(values: values, migration: try settings.boolean("migration", default: true))
    }

    struct Resolved: Sendable {
        var values: [String: DeclaredValue]
        var migration: Bool
    }

    /// The description of a function whose settings are `value(name)`.
    func describe(_ compatibility: Compatibility, value: (String) -> DeclaredValue?) -> CompatibilityDescription {
        var values: [String: CompatibilityValue] = [:]
        for (name, source) in compatibility.sources {
            switch source {
            case .identity(let key): values[name] = .text(identityText(key))
            case .setting(let setting): values[name] = value(setting)?.compatibilityValue
            }
        }
        return compatibility.codec.schema.describe(values)
    }

    func identityText(_ key: IdentityKey) -> String {
        switch key {
        case .vendor: return hex(identity.vendor, 4)
        case .device: return hex(identity.device, 4)
        case .subsystemVendor: return hex(identity.subsystemVendor, 4)
        case .subsystemDevice: return hex(identity.subsystemDevice, 4)
        case .classCode: return hex(identity.classCode, 6)
        case .revision: return hex(identity.revision, 2)
        }
    }

    private func hex(_ value: some BinaryInteger, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
