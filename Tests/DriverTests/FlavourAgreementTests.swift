import Compatibility
import DriverCatalog
import KernelCore
import MigrationCheck
import SysfsTree
import Testbed
import Testing

/// The three flavours are renderings of one description, so for any pair of
/// devices they must reach the same verdict and blame the same field.
@Suite("Flavours agree")
struct FlavourAgreementTests {
    /// Many devices of every driver on one host, configured differently.
    static func fleet() throws -> (Testbed, [String]) {
                var devices: [Testbed.Device] = [
            .driver("i915-gvt", at: "0000:00:02.0", ["aperture_mb": .integer(1024)]),
            .driver("i915-gvt", at: "0000:01:02.0", ["aperture_mb": .integer(1024), "software_version": .integer(2)]),
            .driver("i915-gvt", at: "0000:02:02.0", ["aperture_mb": .integer(512), "device": .string("5912")]),
            .driver("qat-vf", at: "0000:f0:00.0", ["siov": .boolean(true)]),
        ]
        for (index, version) in ["1.0.0", "1.2.0", "2.0.0"].enumerated() {
            devices.append(.driver("nvme-vf", at: "0000:3\(index):00.0", ["driver_version": .string(version), "initial_vfs": .integer(2)]))
        }
        let qatVariants: [[String: DriverSettings.Value]] = [
            [:], ["cfg_services": .string("dc")], ["cfg_services": .string("sym")],
            ["disabled_capabilities": .list(["chacha_poly", "sha3"])], ["compat_version": .integer(3)],
            ["driver_version": .string("1.1.0")], ["device": .string("4948")],
        ]
        for (index, settings) in qatVariants.enumerated() {
            devices.append(.driver("qat-vf", at: "0000:e\(index):00.0", settings.merging(["initial_vfs": .integer(1)]) { $1 }))
        }
        let fleet = try Testbed(devices: devices)
        var paths: [String] = []
        for (parent, types) in [("0000:00:02.0", ["i915-GVTg_V5_4", "i915-GVTg_V5_8"]),
                                ("0000:01:02.0", ["i915-GVTg_V5_4"]), ("0000:02:02.0", ["i915-GVTg_V5_4"]),
                                ("0000:f0:00.0", ["4xxx-vqat_vf"])] {
            for (index, type) in types.enumerated() {
                let uuid = "\(parent.dropFirst(5).prefix(2))00000\(index)-0000-4000-8000-000000000000"
                paths.append(try fleet.createMdev(uuid, type: type, parent: parent).get())
            }
        }
        _ = try fleet.write("/bus/pci/devices/0000:31:00.2/remote_url", "nvme+tcp://192.0.2.99/nqn.2014-08.com.example:other").get()
        paths += fleet.names("/bus/pci/devices").map { "/bus/pci/devices/" + $0 }
            .filter { fleet.node($0 + "/migration_version") != nil }
        return (fleet, paths)
    }

    @Test("every pair of real devices gets the same verdict and field from all three flavours")
    func devicesAgree() throws {
        let (fleet, paths) = try Self.fleet()
        #expect(paths.count >= 25)
        let checker = MigrationChecker(access: TreeAccess(root: fleet.host.root), codecs: DriverCatalog.codecs)
        var compatiblePairs = 0
        for source in paths {
            for target in paths {
                let results = try InterfaceFlavour.allCases.map {
                    try checker.check(source: source, target: target, flavour: $0)
                }
                let fields = results.map { $0.verdict.incompatibility?.field }
                #expect(Set(results.map(\.isCompatible)).count == 1, "\(source) → \(target): \(results.map(\.summary))")
                #expect(Set(fields).count == 1, "\(source) → \(target): \(results.map(\.summary))")
                if results[0].isCompatible { compatiblePairs += 1 }
            }
        }
        #expect(compatiblePairs > paths.count, "identical devices accept each other, and more")
    }

    @Test("a device always accepts its own string, and every rendering reads back")
    func selfAcceptance() throws {
        let (fleet, paths) = try Self.fleet()
        for path in paths {
            let string = try fleet.read(path + "/migration_version").get()
            #expect(fleet.write(path + "/migration_version", string) == .success(string.utf8.count), "\(path)")
            let decoded = try #require(DriverCatalog.decode(String(string.dropLast())), "\(path)")
            #expect(decoded.description.problems == [], "\(path)")
            let json = try fleet.read(path + "/migration_compatibility").get()
            #expect(try CompatibilityJSON.parse(json) == decoded.description, "\(path)")
        }
    }

    static let demoCodec = TemplateCodec(schema: CompatibilityDescriptionTests.schema, parts: [
        .literal("demo"), .field("vendor", .hexText(digits: 4)), .field("software_version", .version),
        .field("features", .mask(digits: 2, bits: [0: "a", 1: "b", 2: "c", 3: "d"])),
        .field("level", .decimal), .field("url", .rest),
    ])

    @Test("over thousands of generated pairs, string, JSON and compatible_* judge alike")
    func generatedPairs() throws {
        var random = SplitMix64(seed: 0x5eed)
        func generated() -> CompatibilityDescription {
            let features = Set(["a", "b", "c", "d"].filter { _ in Bool.random(using: &random) })
            return CompatibilityDescriptionTests.demo(
                version: SemanticVersion(UInt32.random(in: 1...2, using: &random), UInt32.random(in: 0...2, using: &random),
                                         UInt32.random(in: 0...1, using: &random)),
                features: features, level: UInt64.random(in: 0...4, using: &random),
                url: ["x://y", "x://z-1", "x://y-2-3"].randomElement(using: &random) ?? "x://y")
        }
        for _ in 0..<3000 {
            let source = generated()
            let target = generated()
            let expected = target.judge(source)
            let string = Self.demoCodec.render(source)
            #expect(try Self.demoCodec.parse(string) == source)
            #expect(MigrationVersionTest.judge(StoreInput(string + "\n"), target: target, codec: Self.demoCodec)
                        .incompatibility?.field == expected.incompatibility?.field)
            #expect(try target.judge(CompatibilityJSON.parse(CompatibilityJSON.render(source))) == expected)
            let compatible = CompatibleAttributes.judge(source: CompatibleAttributes.render(source),
                                                        target: CompatibleAttributes.render(target))
            #expect(compatible.isCompatible == expected.isCompatible)
            #expect(compatible.incompatibility?.field == expected.incompatibility?.field, "\(source) → \(target)")
        }
    }
}

/// A small seeded generator, so a failing pair can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
