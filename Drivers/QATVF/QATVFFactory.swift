import Compatibility
import KernelCore

/// `qat-vf`: an Intel QuickAssist GEN4/GEN6 PF whose SR-IOV VFs (and
/// optionally vQATs) migrate as `qat_vfio_pci` decides.
public enum QATVFFactory: DriverFactory, MigrationVersionCodecProvider {
    public static let name = "qat-vf"

    public static let settingsHelp: [(key: String, meaning: String)] = [
        ("device", "PF device ID: 4940, 4942, 4944 (4xxx), 4946 (420xx) or 4948 (6xxx) (default 4940)"),
        ("cfg_services", "qat/cfg_services at start: " + QATServices.accepted.joined(separator: ", ")
            + " (default sym;asym)"),
        ("state", "qat/state at start, up or down (default up)"),
        ("driver_version", "driver version major.minor.bugfix, judged as a semantic version (default 1.0.0)"),
        ("compat_version", "PF/VF protocol version 1 to 5; a target needs at least the source's (default 5)"),
        ("disabled_capabilities", "capabilities fused off, e.g. [chacha_poly] (default none)"),
        ("total_vfs", "sriov_totalvfs, 1 to 16 (default 16)"),
        ("initial_vfs", "VFs enabled when the host starts (default 0)"),
        ("vf_driver", "the driver VFs bind to: vfio-pci or qat_vfio_pci (default vfio-pci)"),
        ("siov", "offer the vqat_vf mdev type (Scalable IOV) while no VFs are enabled (default false)"),
        ("migration", "whether the functions can migrate at all; false gives ENODEV (default true)"),
    ]

    public static let migrationVersionCodec: any MigrationVersionCodec = QATCompatibility.codec

    public static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        try settings.checkKeys(settingsHelp.map(\.key))
        let pfDevice = try settings.pciID("device", default: 0x4940)
        guard let model = QATModel.all.first(where: { $0.pfDevice == pfDevice }) else {
            throw SettingsError(key: "device", reason: "expected 4940, 4942, 4944, 4946 or 4948")
        }
        let live = try liveSettings(settings, model: model)
        let driver = QATDriver(settings: live, flavours: context.flavours)
        let totalVFs = try settings.integer("total_vfs", default: 16, in: 1...QATModel.bundles)
        var spec = DeviceSpec(address: address,
                              identity: PCIIdentity(vendor: 0x8086, device: model.pfDevice, subsystemVendor: 0x8086,
                                                    subsystemDevice: 0x0000, classCode: 0x0b4000, revision: 0x40),
                              kernelDriver: model.kernelDriver,
                              bars: [BAR(size: 512 << 10, prefetchable: true), BAR(size: 8 << 10, prefetchable: true),
                                     BAR(size: 8 << 20, prefetchable: true)],
                              sriov: SRIOVCapability(totalVFs: UInt16(totalVFs), offset: 1, stride: 1,
                                                     vfDevice: model.vfDevice,
                                                     vfDriver: try settings.choice("vf_driver", default: "vfio-pci",
                                                                                   from: ["vfio-pci", "qat_vfio_pci"])))
        spec.initialVFs = try settings.integer("initial_vfs", default: 0, in: 0...totalVFs)
        // The QAT of Sapphire Rapids is a root-complex integrated endpoint: no link.
        spec.link = nil
        return (spec, driver)
    }

    /// The settings a running driver takes at once (`VendorDriver.update`); `model` is the device's own.
    static func liveSettings(_ settings: DriverSettings, model: QATModel) throws(SettingsError) -> QATDriver.Settings {
        try settings.checkKeys(settingsHelp.map(\.key))
        let disabled = try settings.list("disabled_capabilities", default: [])
        if let unknown = disabled.first(where: { !QATServices.capabilityBits.values.contains($0) }) {
            throw SettingsError(key: "disabled_capabilities", reason: "unknown capability \(unknown) (known: "
                                + QATServices.capabilityBits.values.sorted().joined(separator: ", ") + ")")
        }
        let configuration = QATCompatibility.Configuration(
            model: model, driverVersion: try settings.version("driver_version", default: SemanticVersion(1)),
            compatVersion: try settings.integer("compat_version", default: 5, in: 1...5),
            disabledCapabilities: Set(disabled))
        return QATDriver.Settings(configuration: configuration,
                                  services: try settings.choice("cfg_services", default: "sym;asym", from: QATServices.accepted),
                                  up: try settings.choice("state", default: "up", from: ["up", "down"]) == "up",
                                  migration: try settings.boolean("migration", default: true),
                                  scalableIOV: try settings.boolean("siov", default: false))
    }
}
