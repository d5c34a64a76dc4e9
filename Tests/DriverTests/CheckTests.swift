import Compatibility
import DriverCatalog
import KernelCore
import MigrationCheck
import SysfsTree
import Testbed
import Testing

@Suite("fakesysfs check and matrix")
struct CheckTests {
    static let vf1 = "/bus/pci/devices/0000:3b:00.1"
    static let vf2 = "/bus/pci/devices/0000:3b:00.2"

    func checker(_ host: Testbed) -> MigrationChecker<TreeAccess> {
        MigrationChecker(access: TreeAccess(root: host.host.root), codecs: DriverCatalog.codecs)
    }

    @Test("identical VFs are compatible in every flavour", arguments: InterfaceFlavour.allCases)
    func compatible(flavour: InterfaceFlavour) throws {
        let nvme = try Testbed(.nvme())
        let result = try checker(nvme).check(source: Self.vf1, target: Self.vf2, flavour: flavour)
        #expect(result.verdict == .compatible)
        #expect(result.report.hasPrefix("compatible (\(flavour.rawValue))\nsource: \(Self.vf1)\ntarget: \(Self.vf2)\n"))
    }

    @Test("a changed remote_url is named, with both values, and a hint where it is a dynamic resource",
          arguments: InterfaceFlavour.allCases)
    func changedURL(flavour: InterfaceFlavour) throws {
        let nvme = try Testbed(.nvme())
        let other = "nvme+tcp://192.0.2.99/nqn.2014-08.com.example:other"
        _ = try nvme.write(Self.vf2 + "/remote_url", other).get()
        let result = try checker(nvme).check(source: Self.vf1, target: Self.vf2, flavour: flavour)
        let reason = try #require(result.verdict.incompatibility)
        #expect(reason.field == "remote_url")
        #expect(reason.source == NVMeTests.url)
        #expect(reason.target == other)
        if flavour == .migrationVersion {
            #expect(result.observation == "writing it to \(Self.vf2)/migration_version failed: Invalid argument")
        } else {
            #expect(result.hint == "remote_url is a dynamic resource: write the source's value to \(Self.vf2)/remote_url "
                    + "to make the target compatible")
        }
        #expect(result.json["field"] == .string("remote_url"))
        #expect(result.json["compatible"] == .bool(false))
    }

    @Test("a type-directory target needs the source's mdev type first", arguments: InterfaceFlavour.allCases)
    func typeNode(flavour: InterfaceFlavour) throws {
        let gvt = try Testbed(.gvt())
        let mdev = try gvt.createMdev(uuid1, type: "i915-GVTg_V5_4", parent: Testbed.gvt).get()
        let same = try checker(gvt).check(source: mdev, target: gvt.typePath("i915-GVTg_V5_4"), flavour: flavour)
        #expect(same.verdict == .compatible)
        let other = try checker(gvt).check(source: mdev, target: gvt.typePath("i915-GVTg_V5_8"), flavour: flavour)
        #expect(other.verdict == .incompatible(Incompatibility(field: "mdev_type", reason: .differs(.equal),
                                                               source: "i915-GVTg_V5_4", target: "i915-GVTg_V5_8")))
        #expect(other.observation == "the type-node check needs the same mdev type")
    }

    @Test("vGPUs of different types: the device-node check decodes the strings to name the type")
    func deviceNode() throws {
        let gvt = try Testbed(.gvt(["aperture_mb": .integer(1024)]))
        let four = try gvt.createMdev(uuid1, type: "i915-GVTg_V5_4", parent: Testbed.gvt).get()
        let eight = try gvt.createMdev(uuid2, type: "i915-GVTg_V5_8", parent: Testbed.gvt).get()
        let result = try checker(gvt).check(source: four, target: eight, flavour: .migrationVersion)
        #expect(result.verdict.incompatibility == Incompatibility(field: "mdev_type", reason: .differs(.equal),
                                                                  source: "GVTg_V5_4", target: "GVTg_V5_8"))
        #expect(result.sourceText == "8086-591d-GVTg_V5_4-00000001")
        #expect(result.targetText == "8086-591d-GVTg_V5_8-00000001")
    }

    @Test("a missing attribute or a refused read means incompatible")
    func unavailable() throws {
        let jsonOnly = try Testbed(.gvt(), flavours: [.json])
        let mdev = try jsonOnly.createMdev(uuid1, type: "i915-GVTg_V5_4", parent: Testbed.gvt).get()
        let missing = try checker(jsonOnly).check(source: mdev, target: mdev, flavour: .migrationVersion)
        #expect(missing.verdict.incompatibility?.reason == .unavailable("the source's: No such file or directory"))
        let off = try Testbed(.gvt(["migration": .boolean(false)]))
        let offMdev = try off.createMdev(uuid1, type: "i915-GVTg_V5_4", parent: Testbed.gvt).get()
        for flavour in InterfaceFlavour.allCases {
            let result = try checker(off).check(source: offMdev, target: offMdev, flavour: flavour)
            #expect(result.verdict.incompatibility?.field == flavour.attributeName, "\(flavour)")
        }
    }

    @Test("a VF has no mdev type for a type-directory target; paths that are no device are usage errors")
    func usage() throws {
        let qat = try Testbed(.qat(["siov": .boolean(true), "initial_vfs": .integer(0)]))
        _ = try qat.write("/bus/pci/devices/0000:f3:00.0/sriov_numvfs", "1").get()
        let type = qat.typePath("4xxx-vqat_vf", parent: Testbed.qat)
        let result = try checker(qat).check(source: "/bus/pci/devices/0000:f3:00.1", target: type, flavour: .json)
        #expect(result.verdict.incompatibility?.field == "mdev_type")
        #expect(throws: MigrationChecker<TreeAccess>.UsageError.self) {
            try checker(qat).check(source: "/bus/pci", target: type, flavour: .json)
        }
        #expect(throws: MigrationChecker<TreeAccess>.UsageError.self) {
            try checker(qat).check(source: "/bus/pci/devices/0000:f3:00.1", target: "/nowhere", flavour: .json)
        }
    }

    @Test("the matrix checks every source of one host against every target of another")
    func matrix() throws {
        let top = Directory()
        let a = Host(name: "a", root: top.sysfsRoot("a"))
        let b = Host(name: "b", root: top.sysfsRoot("b"))
        for (host, version) in [(a, "1.0.0"), (b, "1.1.0")] {
            let nvme = try NVMeFactoryLookup.make("nvme-vf", "0000:3b:00.0",
                                                  ["driver_version": .string(version), "initial_vfs": .integer(2)])
            host.addDevice(nvme.spec, driver: nvme.driver)
            let gvt = try NVMeFactoryLookup.make("i915-gvt", "0000:00:02.0", [:])
            host.addDevice(gvt.spec, driver: gvt.driver)
        }
        let matrix = CompatibilityMatrix(sourceHost: "/a", targetHost: "/b", flavour: .migrationVersion,
                                         access: TreeAccess(root: top), codecs: DriverCatalog.codecs)
        #expect(matrix.sources.map(\.label) == ["0000:3b:00.1", "0000:3b:00.2"])
        #expect(matrix.targets.map(\.label) == ["0000:3b:00.1", "0000:3b:00.2", "0000:00:02.0 type i915-GVTg_V5_4",
                                                "0000:00:02.0 type i915-GVTg_V5_8"])
        #expect(matrix.results.map { $0.map(\.isCompatible) } == [[true, true, false, false], [true, true, false, false]])
        #expect(matrix.sources.map(\.summary) == Array(repeating: DeviceSummary(
            kind: .virtualFunction, driver: "nvme", model: "144d:a824", version: "1.0.0"), count: 2))
        // (The model tree resolves paths below each host's own root; a mount's driver names are checked in MatrixCommandTests.)
        #expect(matrix.targets[2].summary.model == "i915-GVTg_V5_4")
        #expect(matrix.targets[2].summary.version == "1.0.0")
        #expect(matrix.outcome(0, 0) == .compatible)
        #expect(matrix.outcome(0, 2) == .notComparable)
        #expect(matrix.text.contains("\n0000:3b:00.1     ok  ok  -   -\n"))
        #expect(matrix.text.hasSuffix(
            "4 of 4 comparable pairs compatible, 0 incompatible; 4 pairs n/a (different device models)\n"))

        let report = MatrixReport(matrix: matrix, title: "two hosts", generated: "2026-12-06T14:00:00Z", tool: "fakesysfs")
        #expect(report.rows.map(\.labels) == [["0000:3b:00.1", "0000:3b:00.2"]])
        #expect(report.columns.map(\.labels) == [["0000:00:02.0 type i915-GVTg_V5_4"], ["0000:00:02.0 type i915-GVTg_V5_8"],
                                                 ["0000:3b:00.1", "0000:3b:00.2"]])
        #expect(report.json["counts"] == .object([.init(key: "pairs", value: .number(8)),
                                                  .init(key: "compatible", value: .number(4)),
                                                  .init(key: "incompatible", value: .number(0)),
                                                  .init(key: "n/a", value: .number(4))]))
        #expect(report.html.contains("<span class=\"count\">×2</span>"))
        #expect(report.html.contains("<td class=\"na first\" tabindex=\"0\" title=\"n/a: 144d:a824 → i915-GVTg_V5_4\""))
        let backwards = CompatibilityMatrix(sourceHost: "/b", targetHost: "/a", flavour: .compatible,
                                            access: TreeAccess(root: top), codecs: DriverCatalog.codecs)
        #expect(backwards.results[0][0].verdict.incompatibility?.field == "software_version")
    }
}

enum NVMeFactoryLookup {
    static func make(_ driver: String, _ address: String, _ settings: [String: DriverSettings.Value]) throws
        -> (spec: DeviceSpec, driver: any VendorDriver) {
        guard let factory = DriverCatalog.factory(named: driver), let address = PCIAddress(address) else {
            throw SettingsError(key: driver, reason: "unknown")
        }
        return try factory.make(address: address, settings: DriverSettings(settings), context: HostContext())
    }
}
