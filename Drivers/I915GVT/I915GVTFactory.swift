import Compatibility
import KernelCore
import Support

/// `i915-gvt`: an Intel integrated GPU with GVT-g vGPU types.
public enum I915GVTFactory: DriverFactory, MigrationVersionCodecProvider {
    public static let name = "i915-gvt"

    public static let settingsHelp: [(key: String, meaning: String)] = [
        ("device", "GPU device ID in hex, a GVT-g capable gen8/gen9 part (default 591d)"),
        ("aperture_mb", "BIOS graphics aperture in MiB: 128, 256, 512, 1024 or 2048 (default 256)"),
        ("software_version", "GVT migration software version, printed %08x; 4294967295 means unsupported (default 1)"),
        ("migration", "whether migration_version answers at all; false gives ENODEV (default true)"),
    ]

    public static let migrationVersionCodec: any MigrationVersionCodec = GVTCompatibility.codec

    public static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        try settings.checkKeys(settingsHelp.map(\.key))
        let deviceID = try settings.pciID("device", default: 0x591d)
        guard let platform = GVTPlatform(deviceID: deviceID) else {
            throw SettingsError(key: "device", reason: "not a GVT-g capable GPU (known: "
                                + GVTPlatform.known.map { lowercaseHex($0, digits: 4) }.joined(separator: ", ") + ")")
        }
        let apertureMB = try settings.integer("aperture_mb", default: 256)
        guard [128, 256, 512, 1024, 2048].contains(apertureMB) else {
            throw SettingsError(key: "aperture_mb", reason: "expected 128, 256, 512, 1024 or 2048")
        }
        let live = try liveSettings(settings)
        let driver = GVTDriver(platform: platform, apertureMB: apertureMB, settings: live, flavours: context.flavours)
        var spec = DeviceSpec(address: address,
                              identity: PCIIdentity(vendor: 0x8086, device: deviceID, subsystemVendor: 0x8086,
                                                    subsystemDevice: 0x2212, classCode: 0x030000, revision: 0x04),
                              kernelDriver: "i915",
                              bars: [BAR(size: 16 << 20), BAR(size: UInt64(apertureMB) << 20, prefetchable: true),
                                     BAR(size: 64, is64Bit: false, isIO: true)])
        // An integrated GPU is a root-complex integrated endpoint: no link.
        spec.link = nil
        return (spec, driver)
    }

    /// The settings a running driver takes at once (`VendorDriver.update`).
    static func liveSettings(_ settings: DriverSettings) throws(SettingsError) -> GVTDriver.Settings {
        try settings.checkKeys(settingsHelp.map(\.key))
        let softwareVersion = try settings.integer("software_version", default: 1, in: 0...Int(UInt32.max))
        return GVTDriver.Settings(softwareVersion: UInt32(softwareVersion),
                                  migration: try settings.boolean("migration", default: true))
    }
}
