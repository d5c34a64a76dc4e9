import Compatibility
import Support
import Synchronization
import SystemPackage
import SysfsTree
import Testing
@testable import KernelCore

/// The interfaces show what the driver last published and judge writes against it.
@Suite struct PublishedCompatibilityTests {
    static let codec = TemplateCodec(schema: CompatibilitySchema(driver: "acme", fields: [
        .init(CompatibilityField.versionName, .semanticVersion, .version),
    ]), parts: [.literal("acme"), .field(CompatibilityField.versionName, .version)])

    final class Lines: Sendable {
        let all = Mutex<[String]>([])
    }

    let lines = Lines()
    let host: Host
    let published = PublishedCompatibility(CompatibilityInterfaces(flavours: Set(InterfaceFlavour.allCases), codec: codec))
    let nodes: [String: Attribute]

    init() {
        let lines = self.lines
        host = Host(name: "test", log: { line in lines.all.withLock { $0.append(line) } })
        let directory = host.root.directory("devices").directory("card")
        nodes = Dictionary(uniqueKeysWithValues: published.nodes(in: directory, for: .device,
                                                                 log: DeviceLog(host: host, subject: "card"))
            .compactMap { node in (node as? Attribute).map { (node.name, $0) } })
    }

    static func version(_ major: UInt32, _ minor: UInt32) -> CompatibilityDescription {
        codec.schema.describe([CompatibilityField.versionName: .version(SemanticVersion(major, minor))])
    }

    func read(_ name: String) -> Result<String, Errno> {
        guard let attribute = nodes[name] else { return .failure(.noSuchFileOrDirectory) }
        return Result { () throws(Errno) in String(decoding: try attribute.read(), as: UTF8.self) }
    }

    func write(_ name: String, _ text: String) -> Result<Int, Errno> {
        guard let attribute = nodes[name] else { return .failure(.noSuchFileOrDirectory) }
        return Result { () throws(Errno) in try attribute.write(Array(text.utf8)) }
    }

    @Test func everyFlavourShowsThePublishedDescription() {
        published.publish(Self.version(2, 1))
        #expect(read("migration_version") == .success("acme-2.1.0\n"))
        #expect(read("software_version") == .success("2.1.0\n"))
        #expect(read("compatible_driver") == .success("acme\n"))
        #expect(read(CompatibilityJSON.attributeName).map { $0.contains("\"software_version\"") } == .success(true))
        published.publish(Self.version(3, 0))
        #expect(read("migration_version") == .success("acme-3.0.0\n"))
    }

    @Test func ownStringAndOlderMinorAreTakenOthersRefusedWithTheReason() {
        published.publish(Self.version(2, 1))
        #expect(write("migration_version", "acme-2.1.0\n") == .success(11))
        #expect(write("migration_version", "acme-2.0.0") == .success(10))
        #expect(write("migration_version", "acme-2.2.0\n") == .failure(.invalidArgument))
        #expect(write("migration_version", "acme-2.2.0\n") == .failure(.invalidArgument))
        let refusal = "card: migration_version refused: software_version not matched: source 2.2.0, target 2.1.0"
        #expect(lines.all.withLock { $0 }.count == 2)
        #expect(lines.all.withLock { $0 }.allSatisfy { $0.hasPrefix(refusal) })
        published.publish(Self.version(2, 2))
        #expect(write("migration_version", "acme-2.2.0\n") == .success(11))
    }

    @Test func cannotMigrateIsENODEVAnnouncedOncePerPublication() {
        published.publish(nil)
        #expect(read("migration_version") == .failure(.noDevice))
        #expect(read("software_version") == .failure(.noDevice))
        #expect(write("migration_version", "acme-2.1.0") == .failure(.noDevice))
        #expect(lines.all.withLock { $0 } == ["card: migration not supported"])
        published.publish(Self.version(1, 0))
        published.publish(nil)
        #expect(read("migration_version") == .failure(.noDevice))
        #expect(lines.all.withLock { $0 } == ["card: migration not supported", "card: migration not supported"])
    }
}
