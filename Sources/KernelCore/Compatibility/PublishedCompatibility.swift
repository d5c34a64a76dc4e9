#if canImport(Glibc)
import Glibc
#endif
import Compatibility
import Support
import Synchronization
import SystemPackage
import SysfsTree

/// A compatibility description as its driver last published it, with every
/// flavour's text rendered once. The interfaces of the devices that share it
/// show the stored text and judge writes against it, without asking the
/// driver. A driver publishes whenever something the description depends on
/// changes (under its own lock, so publications keep their order); nil means
/// the devices cannot migrate, and every interface then gives ENODEV.
public final class PublishedCompatibility: Sendable {
    public let interfaces: CompatibilityInterfaces
    private let current: Locked<Publication>

    public init(_ interfaces: CompatibilityInterfaces, _ description: CompatibilityDescription? = nil) {
        self.interfaces = interfaces
        current = Locked(Publication(description, interfaces))
    }

    public var description: CompatibilityDescription? { publication.description }

    public func publish(_ description: CompatibilityDescription?) {
        guard description != self.description else { return }
        let publication = Publication(description, interfaces)
        current.withLock { $0 = publication }
    }

    var publication: Publication { current.withLock { $0 } }

    /// The attributes of the host's flavours in `directory`; `log` names the
    /// device in refusals (`0000:00:02.0 i915-GVTg_V5_4: migration_version refused: …`).
    public func nodes(in directory: Directory, for location: CompatibilityInterfaces.Location, log: DeviceLog) -> [Node] {
        let device = InterfaceSet(self, log: log)
        var nodes: [Node] = []
        let flavours = interfaces.flavours
        if flavours.contains(.migrationVersion) {
            nodes.append(directory.makeAttribute(InterfaceFlavour.migrationVersion.attributeName, mode: 0o644,
                showBytes: { () throws(Errno) in try device.supported().migrationVersion },
                store: { input throws(Errno) in try device.test(input) }))
        }
        if flavours.contains(.json) {
            nodes.append(directory.makeAttribute(CompatibilityJSON.attributeName, mode: 0o444,
                showBytes: { () throws(Errno) in try device.supported().json }))
        }
        if flavours.contains(.compatible) {
            for name in CompatibleAttributes.names(of: interfaces.schema) where location == .device || name != "device_api" {
                nodes.append(directory.makeAttribute(name, mode: 0o444, showBytes: { () throws(Errno) in
                    guard let value = try device.supported().compatible[name] else { throw .noDevice }
                    return value
                }))
            }
        }
        return nodes
    }
}

/// One publication, rendered for every flavour the host shows (each text with its newline).
final class Publication: Sendable {
    private static let counter = Atomic<UInt64>(0)

    /// Tells publications apart: a device announces each one that cannot migrate once.
    let number: UInt64
    let description: CompatibilityDescription?
    let migrationVersion: [UInt8]
    let json: [UInt8]
    let compatible: [String: [UInt8]]

    init(_ description: CompatibilityDescription?, _ interfaces: CompatibilityInterfaces) {
        number = Self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        self.description = description
        let flavours = interfaces.flavours
        guard let description else {
            (migrationVersion, json, compatible) = ([], [], [:])
            return
        }
        migrationVersion = flavours.contains(.migrationVersion) ? Array((interfaces.codec.render(description) + "\n").utf8) : []
        json = flavours.contains(.json) ? Array((CompatibilityJSON.render(description) + "\n").utf8) : []
        var compatible: [String: [UInt8]] = [:]
        if flavours.contains(.compatible) {
            for (name, value) in CompatibleAttributes.render(description) { compatible[name] = Array((value + "\n").utf8) }
        }
        self.compatible = compatible
    }
}

/// The interfaces of one device (or type directory): its log, and the
/// verdict on the string last written to it, since a management stack
/// writes the same source string again and again.
private final class InterfaceSet: Sendable {
    private struct Judged {
        let publication: UInt64
        let written: [UInt8]
        let refusal: String?
    }

    /// Longer strings are judged every time rather than kept (a fleet has many devices).
    private static let longestRemembered = 256

    private let published: PublishedCompatibility
    private let log: DeviceLog
    private let announced = Atomic<UInt64>(0)
    private let lastJudged = Locked<Judged?>(nil)

    init(_ published: PublishedCompatibility, log: DeviceLog) {
        self.published = published
        self.log = log
    }

    /// The current publication; ENODEV, logged once per publication, when the device cannot migrate.
    func supported() throws(Errno) -> Publication {
        let publication = published.publication
        guard publication.description == nil else { return publication }
        if announced.exchange(publication.number, ordering: .relaxed) != publication.number {
            log("migration not supported")
        }
        throw .noDevice
    }

    /// `migration_version`'s store: the device's own string is taken as it is
    /// (every rule holds between equal values); anything else is parsed and
    /// judged, and a refusal's reason logged at the host's rate limit.
    func test(_ input: StoreInput) throws(Errno) {
        let publication = try supported()
        guard let target = publication.description else { throw .noDevice }
        var written = input.cString
        if written.last == UInt8(ascii: "\n") { written = written.dropLast() }
        if same(publication.migrationVersion.dropLast(), written) { return }
        let refusal: String?
        if let judged = lastJudged.withLock({ $0 }), judged.publication == publication.number,
           same(judged.written[...], input.cString) {
            refusal = judged.refusal
        } else {
            let verdict = MigrationVersionTest.judge(input, target: target, codec: published.interfaces.codec)
            refusal = verdict.incompatibility.map { "migration_version refused: \($0)" }
            if input.cString.count <= Self.longestRemembered {
                let judged = Judged(publication: publication.number, written: Array(input.cString), refusal: refusal)
                lastJudged.withLock { $0 = judged }
            }
        }
        guard let refusal else { return }
        log.ratelimited(refusal, name: InterfaceFlavour.migrationVersion.attributeName)
        throw .invalidArgument
    }

    private func same(_ mine: ArraySlice<UInt8>, _ theirs: ArraySlice<UInt8>) -> Bool {
        mine.count == theirs.count && mine.withUnsafeBufferPointer { mine in
            theirs.withUnsafeBufferPointer { theirs in
                guard let mine = mine.baseAddress, let start = theirs.baseAddress else { return true }
                return memcmp(mine, start, theirs.count) == 0
            }
        }
    }
}
