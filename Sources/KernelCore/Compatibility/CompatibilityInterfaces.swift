import Compatibility
import SystemPackage
import SysfsTree

/// Builds the attributes of the host's interface flavours for one device or
/// mdev type from its driver's description.
public struct CompatibilityInterfaces: Sendable {
    /// Where the attributes go: the core gives a type directory its own `device_api`.
    public enum Location: Sendable {
        case typeDirectory, device
    }

    /// Produces the current description, or nil when the device cannot
    /// migrate (every attribute then fails with ENODEV).
    public typealias Describe = @Sendable () throws(Errno) -> CompatibilityDescription?

    public let flavours: Set<InterfaceFlavour>
    public let schema: CompatibilitySchema
    public let codec: any MigrationVersionCodec

    public init(flavours: Set<InterfaceFlavour>, schema: CompatibilitySchema, codec: any MigrationVersionCodec) {
        self.flavours = flavours
        self.schema = schema
        self.codec = codec
    }

    /// `subject` names the device in log lines, e.g. `0000:00:02.0 i915-GVTg_V5_4`. Anybody may
    /// write any string, so refusals go through `refusals` (the host's), as `pr_err_ratelimited`.
    public func nodes(in directory: Directory, for location: Location, subject: String,
                      log: @escaping @Sendable (String) -> Void, refusals: LogRateLimit?,
                      describe: @escaping Describe) -> [Node] {
        var nodes: [Node] = []
        let supported: @Sendable () throws(Errno) -> CompatibilityDescription = { () throws(Errno) in
            guard let description = try describe() else {
                log("\(subject): migration not supported")
                throw .noDevice
            }
            return description
        }
        if flavours.contains(.migrationVersion) {
            let memo = MigrationVersionMemo(codec: codec, subject: subject)
            nodes.append(directory.makeAttribute(InterfaceFlavour.migrationVersion.attributeName, mode: 0o644,
                show: { () throws(Errno) in memo.text(of: try supported()) + "\n" },
                store: { input throws(Errno) in
                    if let refusal = memo.refusal(of: input, target: try supported()) {
                        if let refusals { refusals.log(refusal, name: "migration_version", to: log) } else { log(refusal) }
                        throw .invalidArgument
                    }
                }))
        }
        if flavours.contains(.json) {
            nodes.append(directory.makeAttribute(CompatibilityJSON.attributeName, mode: 0o444) { () throws(Errno) in
                CompatibilityJSON.render(try supported()) + "\n"
            })
        }
        if flavours.contains(.compatible) {
            for name in CompatibleAttributes.names(of: schema) where location == .device || name != "device_api" {
                nodes.append(directory.makeAttribute(name, mode: 0o444) { () throws(Errno) in
                    guard let value = CompatibleAttributes.render(try supported()).first(where: { $0.name == name }) else {
                        throw .noDevice
                    }
                    return value.value + "\n"
                })
            }
        }
        return nodes
    }
}

/// The target side of the read-and-test interface: what a write of a
/// source's `migration_version` string decides.
public enum MigrationVersionTest {
    /// The written bytes as C text without one trailing newline (`sysfs_streq`),
    /// parsed by the target's codec and judged by its description.
    /// `targetText` is the target's own string when the caller has it at hand.
    public static func judge(_ input: StoreInput, target: CompatibilityDescription,
                             codec: any MigrationVersionCodec, targetText: String? = nil) -> CompatibilityVerdict {
        var bytes = input.cString
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return .incompatible(.format("not ASCII text")) }
        let text = String(decoding: bytes, as: UTF8.self)
        // Every rule holds between equal values, so a target takes its own string;
        // the most common write is decided without parsing.
        if text == targetText ?? codec.render(target) { return .compatible }
        do throws(Incompatibility) {
            return codec.judge(try codec.parse(text), target: target)
        } catch {
            return .incompatible(error)
        }
    }
}
