import SystemPackage
#if canImport(Glibc)
import Glibc
#endif
import SysfsTree

extension InterfaceFlavour {
    /// The attribute that carries the flavour, or for `compatible` the one every device has.
    public var attributeName: String {
        switch self {
        case .migrationVersion: return "migration_version"
        case .json: return CompatibilityJSON.attributeName
        case .compatible: return CompatibleAttributes.versionName
        }
    }
}

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

/// What a `migration_version` attribute remembers: its last rendering, and
/// the refusal of the last string written to it, each with the description
/// it came from. A driver hands back the same description until its state
/// changes, and a management stack writes the same source string again and
/// again, so a repeated read or write costs a comparison.
final class MigrationVersionMemo: Sendable {
    private struct Rendering {
        let description: CompatibilityDescription
        let text: String
    }

    private struct Judged {
        let target: CompatibilityDescription
        let written: [UInt8]
        let refusal: String?
    }

    /// Longer strings are judged every time rather than kept (a fleet has many attributes).
    private static let longestRemembered = 256

    private let codec: any MigrationVersionCodec
    private let subject: String
    private let rendering = Locked<Rendering?>(nil)
    private let lastJudged = Locked<Judged?>(nil)

    init(codec: any MigrationVersionCodec, subject: String) {
        self.codec = codec
        self.subject = subject
    }

    func text(of description: CompatibilityDescription) -> String {
        if let text = rendering.withLock({ $0?.description == description ? $0?.text : nil }) { return text }
        let text = codec.render(description)
        rendering.withLock { $0 = Rendering(description: description, text: text) }
        return text
    }

    private static func same(_ text: String, _ bytes: ArraySlice<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == bytes.count && bytes.withUnsafeBufferPointer { other in
                guard let mine = utf8.baseAddress, let theirs = other.baseAddress else { return true }
                return memcmp(mine, theirs, utf8.count) == 0
            }
        }
    }

    /// The log line refusing what was written, or nil when the target takes it.
    func refusal(of input: StoreInput, target: CompatibilityDescription) -> String? {
        let written = input.cString
        let targetText = text(of: target)
        // The target's own string needs no memory; keeping it would push out the string it is tested against.
        if Self.same(targetText, written.last == UInt8(ascii: "\n") ? written.dropLast() : written) {
            return nil
        }
        let remembered: String?? = lastJudged.withLock { judged in
            guard let judged, judged.written[...] == written, judged.target == target else { return nil }
            return .some(judged.refusal)
        }
        if let remembered { return remembered }
        let verdict = MigrationVersionTest.judge(input, target: target, codec: codec, targetText: targetText)
        let refusal = verdict.incompatibility.map { "\(subject): migration_version refused: \($0)" }
        if written.count <= Self.longestRemembered {
            lastJudged.withLock { $0 = Judged(target: target, written: Array(written), refusal: refusal) }
        }
        return refusal
    }
}
