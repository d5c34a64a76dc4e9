import KernelCore
import SysfsTree
import SystemPackage
import Testbed
import Testing

@Suite("QAT VF")
struct QATTests {
    static let pf = "/bus/pci/devices/0000:f3:00.0"
    static let vf1 = "/bus/pci/devices/0000:f3:00.1"
    static let vf2 = "/bus/pci/devices/0000:f3:00.2"
    static let symAsym = "qat-gen4-8086-4941-1.0.0-0403b20f-071c-5"

    @Test("the PF's qat/ directory and its VFs")
    func layout() throws {
        let qat = try Testbed(.qat())
        #expect(qat.names(Self.pf + "/qat") == ["cfg_services", "num_rps", "rp2srv", "state"])
        #expect(qat.read(Self.pf + "/qat/state") == .success("up\n"))
        #expect(qat.read(Self.pf + "/qat/cfg_services") == .success("sym;asym\n"))
        #expect(qat.read(Self.pf + "/qat/num_rps") == .success("64\n"))
        #expect(qat.read(Self.pf + "/sriov_totalvfs") == .success("16\n"))
        #expect(qat.read(Self.pf + "/class") == .success("0x0b4000\n"))
        #expect(qat.read(Self.vf1 + "/device") == .success("0x4941\n"))
        // vfio-pci's ID table matches only through driver_override: the VFs stay unbound.
        #expect(qat.link(Self.vf1 + "/driver") == nil)
    }

    @Test("a VF's string: generation, PCI ID, driver version, capabilities, ring layout, PF/VF protocol")
    func string() throws {
        let qat = try Testbed(.qat())
        #expect(qat.read(Self.vf1 + "/migration_version") == .success(Self.symAsym + "\n"))
        #expect(qat.read(Self.pf + "/migration_version") == .success("qat-gen4-8086-4940-1.0.0-0403b20f-071c-5\n"))
        #expect(qat.write(Self.vf2 + "/migration_version", Self.symAsym) == .success(Self.symAsym.utf8.count))
        #expect(qat.write(Self.pf + "/migration_version", Self.symAsym).error == .invalidArgument)
    }

    @Test("cfg_services: EINVAL for a bad value, EINVAL while up, EBUSY taking a device with VFs down")
    func configuration() throws {
        let qat = try Testbed(.qat())
        #expect(qat.write(Self.pf + "/qat/cfg_services", "crypto").error == .invalidArgument)
        #expect(qat.write(Self.pf + "/qat/cfg_services", "dc").error == .invalidArgument)
        #expect(qat.log.last == "0000:f3:00.0: device must be down to reconfigure the service")
        #expect(qat.write(Self.pf + "/qat/state", "down").error == .resourceBusy)
        #expect(qat.write(Self.pf + "/sriov_numvfs", "0").error == nil)
        #expect(qat.write(Self.pf + "/qat/state", "sideways").error == .invalidArgument)
        #expect(qat.write(Self.pf + "/qat/state", "down\n").error == nil)
        #expect(qat.write(Self.pf + "/qat/state", "down").error == nil)
        #expect(qat.write(Self.pf + "/qat/cfg_services", "dc\n") == .success(3))
        #expect(qat.read(Self.pf + "/qat/cfg_services") == .success("dc\n"))
        #expect(qat.write(Self.pf + "/sriov_numvfs", "1").error == nil)
        #expect(qat.read(Self.pf + "/qat/state") == .success("up\n"), "enabling VFs brings the device up")
        #expect(qat.read(Self.vf1 + "/migration_version") == .success("qat-gen4-8086-4941-1.0.0-03c00020-0492-5\n"))
    }

    @Test("the same migration_version attribute follows cfg_services, reading and judging")
    func compatibilityFollowsServices() throws {
        let qat = try Testbed(.qat())
        let symAsym = "qat-gen4-8086-4940-1.0.0-0403b20f-071c-5"
        let compression = "qat-gen4-8086-4940-1.0.0-03c00020-0492-5"
        #expect(qat.read(Self.pf + "/migration_version") == .success(symAsym + "\n"))
        #expect(qat.write(Self.pf + "/migration_version", symAsym) == .success(symAsym.utf8.count))
        #expect(qat.write(Self.pf + "/sriov_numvfs", "0").error == nil)
        #expect(qat.write(Self.pf + "/qat/state", "down").error == nil)
        #expect(qat.write(Self.pf + "/qat/cfg_services", "dc").error == nil)
        #expect(qat.read(Self.pf + "/migration_version") == .success(compression + "\n"))
        #expect(qat.write(Self.pf + "/migration_version", symAsym).error == .invalidArgument)
        #expect(qat.write(Self.pf + "/migration_version", compression + "\n") == .success(compression.utf8.count + 1))
    }

    @Test("rp2srv shows the service of a ring pair from the ring layout")
    func ringPairs() throws {
        let qat = try Testbed(.qat())
        #expect(qat.read(Self.pf + "/qat/rp2srv").error == .invalidArgument)
        #expect(qat.write(Self.pf + "/qat/rp2srv", "64").error == .invalidArgument)
        #expect(qat.write(Self.pf + "/qat/rp2srv", "0x1").error == .invalidArgument)
        for (ring, service) in [(0, "asym"), (1, "sym"), (2, "asym"), (7, "sym")] {
            #expect(qat.write(Self.pf + "/qat/rp2srv", "\(ring)\n").error == nil)
            #expect(qat.read(Self.pf + "/qat/rp2srv") == .success(service + "\n"))
        }
    }

    @Test("ring_to_svc_map follows cfg_services", arguments: [
        ("sym;asym", "071c"), ("asym;sym", "071c"), ("dc", "0492"), ("sym", "06db"), ("asym", "0924"),
        ("sym;dc", "049b"), ("dc;asym", "04a4"), ("dcc", "0492"),
    ])
    func ringMaps(services: String, map: String) throws {
        let qat = try Testbed(.qat(["cfg_services": .string(services)]))
        let string = try qat.read(Self.vf1 + "/migration_version").get()
        #expect(string.split(separator: "-")[6] == Substring(map))
    }

    @Test("the target judges as qat_vfio_pci does", arguments: [
        ([:], [:], nil),
        (["disabled_capabilities": DriverSettings.Value.list(["chacha_poly"])], [:], nil),
        ([:], ["disabled_capabilities": DriverSettings.Value.list(["chacha_poly"])], "capabilities"),
        ([:], ["cfg_services": .string("asym;sym")], nil),
        ([:], ["cfg_services": .string("sym")], "capabilities"),
        (["cfg_services": .string("sym")], [:], "ring_to_svc_map"),
        (["compat_version": .integer(4)], [:], nil),
        ([:], ["compat_version": .integer(4)], "compat_version"),
        (["driver_version": .string("1.1.0")], [:], "software_version"),
        ([:], ["driver_version": .string("1.1.0")], nil),
        (["device": .string("4948")], [:], "generation"),
        (["device": .string("4942")], [:], "device"),
    ] as [([String: DriverSettings.Value], [String: DriverSettings.Value], String?)])
    func rules(source: [String: DriverSettings.Value], target: [String: DriverSettings.Value], field: String?) throws {
        let from = try Testbed(.qat(source))
        let to = try Testbed(.qat(target))
        let string = try from.read(Self.vf1 + "/migration_version").get()
        let result = to.write(Self.vf1 + "/migration_version", string)
        #expect(result.error == (field == nil ? nil : .invalidArgument))
        if let field {
            #expect(to.log.last?.contains("refused: \(field) not matched") == true, "\(to.log.all)")
        }
    }

    @Test("a vQAT mdev and a VF describe the same device, so they migrate both ways")
    func mdevAndVF() throws {
        let siov = try Testbed(.qat(["siov": .boolean(true), "initial_vfs": .integer(0)]))
        let type = siov.typePath("4xxx-vqat_vf", parent: Testbed.qat)
        #expect(siov.read(type + "/available_instances") == .success("16\n"))
        #expect(siov.read(type + "/name") == .success("4xxx-vqat_vf\n"))
        let mdev = try siov.createMdev(uuid1, type: "4xxx-vqat_vf", parent: Testbed.qat).get()
        #expect(siov.read(type + "/available_instances") == .success("15\n"))
        #expect(siov.write(Self.pf + "/sriov_numvfs", "2").error == .resourceBusy)

        let sriov = try Testbed(.qat())
        let fromMdev = try siov.read(mdev + "/migration_version").get()
        #expect(fromMdev == Self.symAsym + "\n")
        #expect(sriov.write(Self.vf1 + "/migration_version", fromMdev) == .success(fromMdev.utf8.count))
        let fromVF = try sriov.read(Self.vf2 + "/migration_version").get()
        #expect(siov.write(mdev + "/migration_version", fromVF) == .success(fromVF.utf8.count))
        #expect(siov.write(type + "/migration_version", fromVF) == .success(fromVF.utf8.count))
        #expect(try siov.read(mdev + "/migration_compatibility").get() == sriov.read(Self.vf1 + "/migration_compatibility").get())
    }

    @Test("vQATs are not offered while VFs are enabled")
    func noVQATsWithVFs() throws {
        let qat = try Testbed(.qat(["siov": .boolean(true)]))
        #expect(qat.read(qat.typePath("4xxx-vqat_vf", parent: Testbed.qat) + "/available_instances") == .success("0\n"))
        #expect(qat.createMdev(uuid1, type: "4xxx-vqat_vf", parent: Testbed.qat).error == .noSpace)
    }

    @Test("migration off gives ENODEV")
    func noMigration() throws {
        let qat = try Testbed(.qat(["migration": .boolean(false)]))
        #expect(qat.read(Self.vf1 + "/migration_version").error == .noDevice)
        #expect(qat.write(Self.vf1 + "/migration_version", Self.symAsym).error == .noDevice)
    }

    @Test("settings are checked", arguments: [
        ["cfg_services": DriverSettings.Value.string("sym;dc;asym")], ["device": .string("37c8")],
        ["disabled_capabilities": .list(["warp_drive"])], ["total_vfs": .integer(17)], ["compat_version": .integer(6)],
        ["vf_driver": .string("igb_uio")], ["state": .string("sleeping")],
    ])
    func badSettings(settings: [String: DriverSettings.Value]) {
        #expect(throws: SettingsError.self) { try Testbed(.qat(settings)) }
    }
}
