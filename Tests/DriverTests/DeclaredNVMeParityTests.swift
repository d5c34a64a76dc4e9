import Compatibility
import DriverCatalog
import Foundation
import KernelCore
import NVMeVF
import Scenario
import SysfsTree
import SystemPackage
import Testbed
import Testing

/// Drivers/declarative/nvme-vf.yaml against the Swift nvme-vf driver: the same
/// settings and stores give the same files and the same verdicts.
@Suite("Declarative NVMe VF parity")
struct DeclaredNVMeParityTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Drivers/declarative/nvme-vf.yaml").standardized.path
    static let urls = [
        "nvme+tcp://192.0.2.10:4420/nqn.2014-08.com.example:pool0",
        "nvme+tcp://192.0.2.11/nqn.2014-08.com.example:pool1",
        "nvme+rdma://[2001:db8::7]:4420/nqn.2014-08.com.example:pool0",
        "nvme+rdma://storage-a.example:4421/nqn.2014-08.com.example:pool-2",
    ]

    /// Seeded, so a failure repeats (SplitMix64).
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    struct RandomPF {
        var address: String
        var settings: [String: DriverSettings.Value]
        /// A URL written to each VF's `remote_url` after it appears, or nil.
        var written: [String?]
    }

    static func randomPFs(count: Int, seed: UInt64) -> [RandomPF] {
        var random = Seeded(state: seed)
        return (0..<count).map { index in
            var settings: [String: DriverSettings.Value] = [
                "initial_vfs": .integer(2),
                "driver_version": .string("\(Int.random(in: 1...2, using: &random)).\(Int.random(in: 0...3, using: &random))."
                                          + "\(Int.random(in: 0...2, using: &random))"),
            ]
            if Bool.random(using: &random) { settings["remote_url"] = .string(urls.randomElement(using: &random) ?? urls[0]) }
            if Int.random(in: 0..<20, using: &random) == 0 { settings["migration"] = .boolean(false) }
            let written = (0..<2).map { _ in Bool.random(using: &random) ? urls.randomElement(using: &random) : nil }
            let address = String(format: "0000:%02x:%02x.0", 1 + index / 32, index % 32)
            return RandomPF(address: address, settings: settings, written: written)
        }
    }

    typealias Make = (DriverSettings, PCIAddress, HostContext) throws -> (spec: DeviceSpec, driver: any VendorDriver)

    static func bed(_ pfs: [RandomPF], make: Make) throws -> Testbed {
        let bed = Testbed()
        for pf in pfs {
            let address = try #require(PCIAddress(pf.address))
            let made = try make(DriverSettings(pf.settings), address, HostContext())
            bed.add(made.spec, driver: made.driver)
        }
        for pf in pfs {
            for (index, url) in pf.written.enumerated() {
                guard let url else { continue }
                let vf = "/bus/pci/devices/" + pf.address.dropLast() + "\(index + 1)/remote_url"
                #expect(bed.write(vf, url + "\n") == .success(url.utf8.count + 1))
            }
        }
        return bed
    }

    static func vfs(_ pfs: [RandomPF]) -> [String] {
        pfs.flatMap { pf in (1...2).map { "/bus/pci/devices/" + pf.address.dropLast() + "\($0)" } }
    }

    @Test("every VF file and every pair's verdict agree on 2000 seeded random VFs")
    func parity() throws {
        let declared = try DeclaredDriver.load(contentsOf: Self.file)
        let pfs = Self.randomPFs(count: 1000, seed: 17)
        let swift = try Self.bed(pfs) { try NVMeVFFactory.make(address: $1, settings: $0, context: $2) }
        let yaml = try Self.bed(pfs) { try declared.make(address: $1, settings: $0, context: $2) }
        let vfs = Self.vfs(pfs)
        var strings: [String?] = []
        for vf in vfs {
            let names = swift.names(vf)
            #expect(yaml.names(vf) == names, "\(vf)")
            for name in names where !["driver", "iommu_group", "physfn", "subsystem", "firmware_node"].contains(name) {
                #expect(yaml.read(vf + "/" + name) == swift.read(vf + "/" + name), "\(vf)/\(name)")
            }
            strings.append((try? swift.read(vf + "/migration_version").get()).map { String($0.dropLast()) })
        }
        #expect(strings.compactMap { $0 }.count > 1800)
        let swiftCodec = NVMeVFFactory.migrationVersionCodec
        let yamlCodec = try #require(declared.compatibility?.codec)
        let parsed = strings.map { string in
            string.map { (try? swiftCodec.parse($0), try? yamlCodec.parse($0)) }
        }
        var compatible = 0, pairs = 0
        for source in parsed {
            guard let (swiftSource, yamlSource) = source else { continue }
            for target in parsed {
                guard let (swiftTarget, yamlTarget) = target, let swiftSource, let swiftTarget, let yamlSource, let yamlTarget else {
                    continue
                }
                let verdict = swiftTarget.judge(swiftSource)
                if verdict != yamlTarget.judge(yamlSource) { Issue.record("verdicts differ: \(verdict)") }
                if verdict == .compatible { compatible += 1 }
                pairs += 1
            }
        }
        #expect(pairs > 3_000_000)
        #expect(compatible > 10_000 && compatible < pairs / 2)
    }

    @Test("a sample of pairs judged through migration_version writes gives the same errno")
    func writes() throws {
        let declared = try DeclaredDriver.load(contentsOf: Self.file)
        let pfs = Self.randomPFs(count: 60, seed: 4242)
        let swift = try Self.bed(pfs) { try NVMeVFFactory.make(address: $1, settings: $0, context: $2) }
        let yaml = try Self.bed(pfs) { try declared.make(address: $1, settings: $0, context: $2) }
        let vfs = Self.vfs(pfs)
        var outcomes = Set<String>()
        for source in vfs {
            guard let string = try? swift.read(source + "/migration_version").get() else { continue }
            for target in vfs {
                let expected = swift.write(target + "/migration_version", string)
                #expect(yaml.write(target + "/migration_version", string) == expected, "\(source) -> \(target)")
                outcomes.insert("\(expected)")
            }
        }
        #expect(outcomes.count >= 3)
    }
}
