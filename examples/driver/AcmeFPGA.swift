import Compatibility
import KernelCore
import SysfsTree

// A new vendor's SR-IOV FPGA card in one file: a VF runs its PF's bitstream and migrates to a VF of the same
// device and bitstream whose shell (firmware) has the same major and at least the same minor: `acme-0b31-2.1.0-crypto_v7`.
final class AcmeFPGA: VendorDriver, DriverFactory, MigrationVersionCodecProvider {
    static let name = "acme-fpga"
    static let settingsHelp = [(key: "shell", meaning: "shell firmware version major.minor.bugfix (default 2.0.0)"),
                               (key: "bitstream", meaning: "the loaded bitstream's name (default crypto_v7)")]
    /// What decides compatibility, in the order it is checked, and the string that carries it.
    static let codec = TemplateCodec(schema: CompatibilitySchema(driver: "acme_fpga", fields: [
        .init("device", .equal, .deviceID), .init(CompatibilityField.versionName, .semanticVersion, .version),
        .init("bitstream", .equal, .vendor),
    ]), parts: [.literal("acme"), .field("device", .hexText(digits: 4)),
                .field(CompatibilityField.versionName, .version), .field("bitstream", .token(maxLength: 32))])
    static var migrationVersionCodec: any MigrationVersionCodec { codec }
    /// What every VF shows; an update (a shell upgrade, another bitstream) publishes a new description.
    let compatibility: PublishedCompatibility

    init(flavours: Set<InterfaceFlavour>) {
        compatibility = PublishedCompatibility(CompatibilityInterfaces(flavours: flavours, codec: Self.codec))
    }

    static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        let driver = AcmeFPGA(flavours: context.flavours)
        try driver.update(settings: settings)
        let sriov = SRIOVCapability(totalVFs: 8, vfDevice: 0x0b31, vfDriver: "vfio-pci")
        return (DeviceSpec(address: address, identity: PCIIdentity(vendor: 0x1d0f, device: 0x0b30, classCode: 0x120000),
                           kernelDriver: "acme_fpga", sriov: sriov), driver)
    }

    func update(settings: DriverSettings) throws(SettingsError) {
        try settings.checkKeys(Self.settingsHelp.map(\.key))
        let shell = try settings.version("shell", default: SemanticVersion(2))
        compatibility.publish(Self.codec.schema.describe(["device": .text("0b31"), CompatibilityField.versionName: .version(shell),
            "bitstream": .text(try settings.string("bitstream", default: "crypto_v7"))]))
    }

    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] {
        compatibility.nodes(in: directory, for: .device, log: DeviceLog(vf))
    }
}
