import Compatibility
import KernelCore
import Support
import SystemPackage
import SysfsTree

// A new vendor's SR-IOV FPGA card, prototyped in one file: each VF runs the
// bitstream the PF was loaded with, and may migrate to a VF with the same
// device and bitstream whose shell (firmware) is the same major version and
// at least the same minor. The string format is `acme-<device>-<shell>-<bitstream>`,
// e.g. `acme-0b30-2.1.0-crypto_v7`.

/// What decides compatibility, in the order it is checked.
enum AcmeCompatibility {
    static let schema = CompatibilitySchema(driver: "acme_fpga", fields: [
        .init("device", .equal, .deviceID),
        .init(CompatibilityField.versionName, .semanticVersion, .version),
        .init("bitstream", .equal, .vendor),
    ])

    /// The `migration_version` string: change these parts to prototype another format.
    static let codec = TemplateCodec(schema: schema, parts: [
        .literal("acme"),
        .field("device", .hexText(digits: 4)),
        .field(CompatibilityField.versionName, .version),
        .field("bitstream", .token(maxLength: 32)),
    ])
}

/// The driver: VFs carry the interface flavours the host exposes; the shell version can be upgraded live.
final class AcmeFPGADriver: VendorDriver, @unchecked Sendable {
    let bitstream: String
    let interfaces: CompatibilityInterfaces
    // Guarded by the host's lock.
    private var shell: SemanticVersion

    init(shell: SemanticVersion, bitstream: String, flavours: Set<InterfaceFlavour>) {
        self.shell = shell
        self.bitstream = bitstream
        interfaces = CompatibilityInterfaces(flavours: flavours, schema: AcmeCompatibility.schema,
                                             codec: AcmeCompatibility.codec)
    }

    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] {
        let host = vf.host
        let device = vf.identity.device
        let bitstream = self.bitstream
        let describe: CompatibilityInterfaces.Describe = { [weak self] () throws(Errno) in
            guard let self, let host else { throw .noDevice }
            let shell = host.lock.withLock { self.shell }
            return AcmeCompatibility.schema.describe([
                "device": .text(lowercaseHex(device, digits: 4)),
                CompatibilityField.versionName: .version(shell),
                "bitstream": .text(bitstream),
            ])
        }
        return interfaces.nodes(in: directory, for: .device, subject: vf.address.description,
                                log: { host?.log($0) }, refusals: host?.refusalLog, describe: describe)
    }

    func update(settings: DriverSettings) throws(SettingsError) {
        shell = try AcmeFPGAFactory.shell(settings)
    }
}

/// How scenarios (`driver: acme-fpga`) and `fakesysfs ctl plug` make the card.
enum AcmeFPGAFactory: DriverFactory, MigrationVersionCodecProvider {
    static let name = "acme-fpga"
    static let settingsHelp: [(key: String, meaning: String)] = [
        ("shell", "shell firmware version major.minor.bugfix (default 2.0.0)"),
        ("bitstream", "the loaded bitstream's name (default crypto_v7)"),
    ]
    static let migrationVersionCodec: any MigrationVersionCodec = AcmeCompatibility.codec

    static func make(address: PCIAddress, settings: DriverSettings, context: HostContext)
        throws(SettingsError) -> (spec: DeviceSpec, driver: any VendorDriver) {
        let driver = AcmeFPGADriver(shell: try shell(settings),
                                    bitstream: try settings.string("bitstream", default: "crypto_v7"),
                                    flavours: context.flavours)
        let spec = DeviceSpec(address: address,
                              identity: PCIIdentity(vendor: 0x1d0f, device: 0x0b30, classCode: 0x120000),
                              kernelDriver: "acme_fpga",
                              sriov: SRIOVCapability(totalVFs: 8, vfDevice: 0x0b31, vfDriver: "vfio-pci"))
        return (spec, driver)
    }

    static func shell(_ settings: DriverSettings) throws(SettingsError) -> SemanticVersion {
        try settings.checkKeys(settingsHelp.map(\.key))
        return try settings.version("shell", default: SemanticVersion(2))
    }
}
