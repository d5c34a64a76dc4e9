import Compatibility
import KernelCore
import Support

/// What `qat_vfio_pci` checks before a VF takes another's state, in its
/// order: same generation and exposed device, driver version (semantic),
/// the target's capabilities a superset of the source's, the same ring-pair
/// service layout, and a PF/VF protocol version at least the source's. The
/// string is the seed thread's "PCI ID + driver version + supported
/// encryption set": `qat-gen4-8086-4941-1.0.0-0703c30f-071c-5`.
enum QATCompatibility {
    static let driver = "qat_vfio_pci"

    static let schema = CompatibilitySchema(driver: driver, fields: [
        .init("generation", .equal, .vendor),
        .init("vendor", .equal, .deviceID),
        .init("device", .equal, .deviceID),
        .init(CompatibilityField.versionName, .semanticVersion, .version),
        .init("capabilities", .superset, .vendor),
        .init("ring_to_svc_map", .equal, .vendor),
        .init("compat_version", .atLeast, .vendor),
    ])

    static let codec = TemplateCodec(schema: schema, parts: [
        .literal("qat"),
        .field("generation", .token(maxLength: 8)),
        .field("vendor", .hexText(digits: 4)),
        .field("device", .hexText(digits: 4)),
        .field(CompatibilityField.versionName, .version),
        .field("capabilities", .mask(digits: 8, bits: QATServices.capabilityBits)),
        .field("ring_to_svc_map", .hexText(digits: 4)),
        .field("compat_version", .decimal),
    ])

    struct Configuration: Sendable {
        let model: QATModel
        let driverVersion: SemanticVersion
        let compatVersion: Int
        let disabledCapabilities: Set<String>
    }

    /// The description of a function exposing `device` with `services` configured on its PF.
    static func describe(_ configuration: Configuration, device: UInt16, services: String) -> CompatibilityDescription {
        schema.describe([
            "generation": .text(configuration.model.generation),
            "vendor": .text("8086"),
            "device": .text(lowercaseHex(device, digits: 4)),
            CompatibilityField.versionName: .version(configuration.driverVersion),
            "capabilities": .set(QATServices.capabilities(services).subtracting(configuration.disabledCapabilities)),
            "ring_to_svc_map": .text(lowercaseHex(QATServices.ringToServiceMap(services), digits: 4)),
            "compat_version": .number(UInt64(configuration.compatVersion)),
        ])
    }
}
