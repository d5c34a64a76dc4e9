import Compatibility
import KernelCore

/// `nvme-vf`: an NVMe SSD whose SR-IOV VFs are secondary controllers backed by remote storage.
public enum NVMeVFFactory: DriverFactory, MigrationVersionCodecProvider {
    public static let name = "nvme-vf"

    public static let settingsHelp: [(key: String, meaning: String)] = [
        ("driver_version", "driver version major.minor.bugfix, judged as a semantic version (default 1.0.0)"),
        ("remote_url", "every VF's initial remote storage, nvme+tcp://host[:port]/nqn... "
            + "(default nvme+tcp://192.0.2.10:4420/nqn.2014-08.com.example:pool0)"),
        ("total_vfs", "sriov_totalvfs, 1 to 127 (default 32)"),
        ("initial_vfs", "VFs enabled when the host starts (default 0)"),
        ("migration", "whether the VFs can migrate at all; false gives ENODEV (default true)"),
    ]

    public static let migrationVersionCodec: any MigrationVersionCodec = NVMeCompatibility.codec
    /// The PF's, and its VFs' too (`sriov_vf_device` is the same).
    static let identity = PCIIdentity(vendor: 0x144d, device: 0xa824, subsystemVendor: 0x144d, subsystemDevice: 0xa801,
                                      classCode: 0x010802)

    public static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        let live = try liveSettings(settings)
        let totalVFs = try settings.integer("total_vfs", default: 32, in: 1...127)
        let driver = NVMeDriver(settings: live, flavours: context.flavours)
        var spec = DeviceSpec(address: address, identity: identity,
                              kernelDriver: "nvme", bars: [BAR(size: 32 << 10)],
                              sriov: SRIOVCapability(totalVFs: UInt16(totalVFs), offset: 1, stride: 1,
                                                     vfDevice: 0xa824, vfDriver: "nvme"))
        spec.initialVFs = try settings.integer("initial_vfs", default: 0, in: 0...totalVFs)
        spec.link = PCIeLink(generation: 4, width: 4)
        return (spec, driver)
    }

    /// The settings a running driver takes at once (`VendorDriver.update`).
    static func liveSettings(_ settings: DriverSettings) throws(SettingsError) -> NVMeDriver.Settings {
        try settings.checkKeys(settingsHelp.map(\.key))
        let url = try settings.string("remote_url", default: "nvme+tcp://192.0.2.10:4420/nqn.2014-08.com.example:pool0")
        if let problem = RemoteStorageURL.problem(url) { throw SettingsError(key: "remote_url", reason: problem) }
        return NVMeDriver.Settings(driverVersion: try settings.version("driver_version", default: SemanticVersion(1)),
                                   defaultURL: url, migration: try settings.boolean("migration", default: true))
    }
}
