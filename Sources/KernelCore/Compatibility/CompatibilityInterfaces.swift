import Compatibility

/// The interface flavours a driver's devices show, and what they render:
/// one per driver, from which it makes a `PublishedCompatibility` for each
/// set of devices that share a description.
public struct CompatibilityInterfaces: Sendable {
    /// Where the attributes go: the core gives a type directory its own `device_api`.
    public enum Location: Sendable {
        case typeDirectory, device
    }

    public let flavours: Set<InterfaceFlavour>
    public let schema: CompatibilitySchema
    public let codec: any MigrationVersionCodec

    public init(flavours: Set<InterfaceFlavour>, schema: CompatibilitySchema, codec: any MigrationVersionCodec) {
        self.flavours = flavours
        self.schema = schema
        self.codec = codec
    }

    /// A template string format, with the schema it renders.
    public init(flavours: Set<InterfaceFlavour>, codec: TemplateCodec) {
        self.init(flavours: flavours, schema: codec.schema, codec: codec)
    }
}
