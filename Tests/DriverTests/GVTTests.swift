import KernelCore
import SysfsTree
import SystemPackage
import Testbed
import Testing

@Suite("i915 GVT-g")
struct GVTTests {
    @Test("available_instances per aperture size follows GVT's pool arithmetic",
          arguments: [(128, [Int]()), (256, [2, 1]), (512, [6, 3, 1]), (1024, [7, 5, 2, 1]), (2048, [4, 3, 1, 0])])
    func capacity(aperture: Int, expected: [Int]) throws {
        let gvt = try Testbed(.gvt(["aperture_mb": .integer(aperture)]))
        let names = ["8", "4", "2", "1"].prefix(expected.count).map { "i915-GVTg_V5_" + $0 }
        #expect(gvt.names("/bus/pci/devices/\(Testbed.gvt)/mdev_supported_types").sorted() == names.sorted())
        for (name, count) in zip(names, expected) {
            #expect(gvt.read(gvt.typePath(name) + "/available_instances") == .success("\(count)\n"))
        }
    }

    @Test("a vGPU of one type lowers every type's count; a full pool gives ENOSPC")
    func sharedPool() throws {
        let gvt = try Testbed(.gvt(["aperture_mb": .integer(1024)]))
        func counts() -> [Result<String, Errno>] {
            ["8", "4", "2", "1"].map { gvt.read(gvt.typePath("i915-GVTg_V5_" + $0) + "/available_instances") }
        }
        #expect(gvt.createMdev(uuid1, type: "i915-GVTg_V5_4", parent: Testbed.gvt).error == nil)
        #expect(counts() == [.success("5\n"), .success("4\n"), .success("2\n"), .success("1\n")])
        #expect(gvt.createMdev(uuid2, type: "i915-GVTg_V5_1", parent: Testbed.gvt).error == nil)
        #expect(counts() == [.success("0\n"), .success("0\n"), .success("0\n"), .success("0\n")])
        #expect(gvt.createMdev(uuid3, type: "i915-GVTg_V5_8", parent: Testbed.gvt).error == .noSpace)
        #expect(gvt.write("/bus/mdev/devices/\(uuid1)/remove", "1") == .success(1))
        #expect(counts() == [.success("1\n"), .success("1\n"), .success("0\n"), .success("0\n")])
    }

    @Test("seven vGPUs at most: the fences run out")
    func sevenVGPUs() throws {
        let gvt = try Testbed(.gvt(["aperture_mb": .integer(1024)]))
        for index in 0..<7 {
            let uuid = "00000000-0000-4000-8000-00000000000\(index)"
            #expect(gvt.createMdev(uuid, type: "i915-GVTg_V5_8", parent: Testbed.gvt).error == nil)
            #expect(gvt.read("/bus/mdev/devices/\(uuid)/intel_vgpu/vgpu_id") == .success("\(index + 1)\n"))
        }
        #expect(gvt.read(gvt.typePath("i915-GVTg_V5_8") + "/available_instances") == .success("0\n"))
        #expect(gvt.createMdev("00000000-0000-4000-8000-000000000007", type: "i915-GVTg_V5_8",
                               parent: Testbed.gvt).error == .noSpace)
    }

    @Test("description is GVT's five lines")
    func description() throws {
        let gvt = try Testbed(.gvt())
        #expect(gvt.read(gvt.typePath("i915-GVTg_V5_8") + "/description")
                == .success("low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\n"))
        #expect(gvt.read(gvt.typePath("i915-GVTg_V5_4") + "/device_api") == .success("vfio-pci\n"))
    }

    @Test("migration_version is the v5 string on the type node and on each vGPU")
    func strings() throws {
        let gvt = try Testbed(.gvt(["software_version": .integer(0x2a)]))
        #expect(gvt.read(gvt.typePath("i915-GVTg_V5_4") + "/migration_version") == .success("8086-591d-GVTg_V5_4-0000002a\n"))
        try #require(gvt.createMdev(uuid1, type: "i915-GVTg_V5_8", parent: Testbed.gvt).error == nil)
        #expect(gvt.read("/bus/mdev/devices/\(uuid1)/migration_version") == .success("8086-591d-GVTg_V5_8-0000002a\n"))
        let attribute = try #require(gvt.node("/bus/mdev/devices/\(uuid1)/migration_version") as? SysfsTree.Attribute)
        #expect(attribute.mode == 0o644)
    }

    @Test("gen8 parts offer GVTg_V4 types")
    func broadwell() throws {
        let gvt = try Testbed(.gvt(["device": .string("1616")]))
        #expect(gvt.read(gvt.typePath("i915-GVTg_V4_8") + "/migration_version") == .success("8086-1616-GVTg_V4_8-00000001\n"))
    }

    @Test("a type accepts its own string, with or without the newline, and nothing else")
    func exactMatch() throws {
        let gvt = try Testbed(.gvt())
        let own = try gvt.read(gvt.typePath("i915-GVTg_V5_4") + "/migration_version").get()
        #expect(gvt.write(gvt.typePath("i915-GVTg_V5_4") + "/migration_version", own) == .success(own.utf8.count))
        #expect(gvt.write(gvt.typePath("i915-GVTg_V5_4") + "/migration_version", String(own.dropLast())) == .success(own.utf8.count - 1))
        for other in ["8086-591d-GVTg_V5_4-00000001\n\n", "8086-591D-GVTg_V5_4-00000001", "8086-591d-GVTg_V5_4-1",
                      " 8086-591d-GVTg_V5_4-00000001", "i915-8086-591d-GVTg_V5_4-00000001",
                      "8086-591d-GVTg_V5_4-00000001" + String(repeating: "0", count: 5000)] {
            #expect(gvt.write(gvt.typePath("i915-GVTg_V5_4") + "/migration_version", other).error == .invalidArgument)
        }
    }

    @Test("a refused string is logged with the field and both values, in GVT's order",
          arguments: [("8086-591d-GVTg_V5_4", "wrong string format"),
                      ("8086-5912-GVTg_V5_8-00000002", "device not matched: source 5912, target 591d"),
                      ("8086-591d-GVTg_V5_8-00000002", "software_version not matched: source 00000002, target 00000001"),
                      ("8086-591d-GVTg_V5_8-00000001", "mdev_type not matched: source GVTg_V5_8, target GVTg_V5_4")])
    func mismatchLog(written: String, reason: String) throws {
        let gvt = try Testbed(.gvt())
        #expect(gvt.write(gvt.typePath("i915-GVTg_V5_4") + "/migration_version", written + "\n").error == .invalidArgument)
        let line = try #require(gvt.log.last)
        #expect(line.hasPrefix("0000:00:02.0 i915-GVTg_V5_4: migration_version refused: "))
        #expect(line.contains(reason))
    }

    @Test("migration off, or GVT's invalid software version, gives ENODEV on read and write",
          arguments: [["migration": DriverSettings.Value.boolean(false)], ["software_version": .integer(0xffff_ffff)]])
    func noMigration(settings: [String: DriverSettings.Value]) throws {
        let gvt = try Testbed(.gvt(settings))
        let path = gvt.typePath("i915-GVTg_V5_4")
        #expect(gvt.read(path + "/migration_version").error == .noDevice)
        #expect(gvt.write(path + "/migration_version", "8086-591d-GVTg_V5_4-00000001\n").error == .noDevice)
        #expect(gvt.read(path + "/migration_compatibility").error == .noDevice)
        #expect(gvt.read(path + "/software_version").error == .noDevice)
    }

    @Test("settings are checked", arguments: [
        ["aperture_mb": DriverSettings.Value.integer(300)], ["device": .string("4680")], ["device": .string("zz")],
        ["apperture_mb": .integer(256)], ["software_version": .integer(-1)],
    ])
    func badSettings(settings: [String: DriverSettings.Value]) {
        #expect(throws: SettingsError.self) { try Testbed(.gvt(settings)) }
    }
}
