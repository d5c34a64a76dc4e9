import Compatibility
import KernelCore
import Support

/// What decides whether one vGPU can take another's state, in the order GVT
/// checks them: physical device (vendor, device), software version, type;
/// every one must be equal. The string is the v5 patch's
/// `%04x-%04x-%s-%08x`: Intel's vendor ID, the GPU's device ID, GVT's type
/// name without the `i915-` prefix, and the software version.
enum GVTCompatibility {
    static let driver = "i915"

    static let schema = CompatibilitySchema(driver: driver, fields: [
        .init("vendor", .equal, .deviceID),
        .init("device", .equal, .deviceID),
        .init(CompatibilityField.versionName, .equal, .version),
        .init(CompatibilityField.mdevTypeName, .equal, .mdevType),
    ])

    static let codec = TemplateCodec(schema: schema, parts: [
        .field("vendor", .hexText(digits: 4)),
        .field("device", .hexText(digits: 4)),
        .field(CompatibilityField.mdevTypeName, .token(prefix: driver + "-", maxLength: 16)),
        .field(CompatibilityField.versionName, .hexMajor(digits: 8)),
    ])

    /// `INV_SOFTWARE_VERSION`: the software version that means "no migration".
    static let invalidSoftwareVersion = UInt32.max

    static func describe(deviceID: UInt16, softwareVersion: UInt32, type: GVTType) -> CompatibilityDescription {
        schema.describe([
            "vendor": .text("8086"),
            "device": .text(lowercaseHex(deviceID, digits: 4)),
            CompatibilityField.versionName: .version(SemanticVersion(softwareVersion)),
            CompatibilityField.mdevTypeName: .text(driver + "-" + type.name),
        ])
    }
}
