import Compatibility
import KernelCore
import Support

/// What decides whether one NVMe VF can take another's state, in the order
/// they are checked: the PCI ID, the driver version (semantic), and the
/// remote storage the VF is connected to, which userspace may set on a
/// target. The string is the seed thread's "PCI ID + driver version +
/// configured remote storage URL", prefixed with the driver:
/// `nvme-144d-a824-1.0.0-nvme+tcp://192.0.2.10:4420/nqn.2014-08.com.example:pool0`.
enum NVMeCompatibility {
    static let driver = "nvme"
    static let remoteURL = "remote_url"

    static let schema = CompatibilitySchema(driver: driver, fields: [
        .init("vendor", .equal, .deviceID),
        .init("device", .equal, .deviceID),
        .init(CompatibilityField.versionName, .semanticVersion, .version),
        .init(remoteURL, .equal, .instance),
    ])

    static let codec = TemplateCodec(schema: schema, parts: [
        .literal(driver),
        .field("vendor", .hexText(digits: 4)),
        .field("device", .hexText(digits: 4)),
        .field(CompatibilityField.versionName, .version),
        .field(remoteURL, .rest),
    ])

    static func describe(driverVersion: SemanticVersion, url: String) -> CompatibilityDescription {
        schema.describe([
            "vendor": .text(lowercaseHex(NVMeVFFactory.identity.vendor, digits: 4)),
            "device": .text(lowercaseHex(NVMeVFFactory.identity.device, digits: 4)),
            CompatibilityField.versionName: .version(driverVersion),
            remoteURL: .text(url),
        ])
    }
}
