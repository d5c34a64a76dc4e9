import Compatibility
import DriverCatalog
import KernelCore
import SysfsTree
import Testbed
import Testing

@Suite("Driver catalog and default host")
struct DriverCatalogTests {
    @Test("the catalog knows the three drivers by name, each with its string format")
    func catalog() {
        #expect(DriverCatalog.names == ["i915-gvt", "nvme-vf", "qat-vf"])
        #expect(DriverCatalog.factory(named: "qat-vf")?.name == "qat-vf")
        #expect(DriverCatalog.factory(named: "mtty") == nil)
        #expect(DriverCatalog.codecs.map(\.driver) == ["i915", "nvme", "qat_vfio_pci"])
        for factory in DriverCatalog.factories {
            #expect(!factory.settingsHelp.isEmpty)
            #expect(throws: SettingsError.self) {
                try factory.make(address: PCIAddress(bus: 1, slot: 0, function: 0),
                                 settings: DriverSettings(["typo": .integer(1)]), context: HostContext())
            }
        }
    }

    @Test("the default host has the three devices of the issue, driven by the drivers")
    func defaultHost() throws {
        let bed = try Testbed.defaultHost()
        for (address, vendor, device, classCode, driver) in [
            ("0000:00:02.0", "0x8086", "0x591d", "0x030000", "i915"), ("0000:3b:00.0", "0x144d", "0xa824", "0x010802", "nvme"),
            ("0000:f3:00.0", "0x8086", "0x4940", "0x0b4000", "4xxx"),
        ] {
            let base = "/bus/pci/devices/\(address)"
            #expect(bed.read(base + "/vendor") == .success(vendor + "\n"))
            #expect(bed.read(base + "/device") == .success(device + "\n"))
            #expect(bed.read(base + "/class") == .success(classCode + "\n"))
            #expect(bed.link(base + "/driver") == "../../../bus/pci/drivers/\(driver)")
        }
        #expect(bed.read("/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/migration_version")
                == .success("8086-591d-GVTg_V5_4-00000001\n"))
        #expect(bed.read("/bus/pci/devices/0000:f3:00.0/qat/cfg_services") == .success("sym;asym\n"))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.0/sriov_numvfs") == .success("0\n"))
    }

    static let flavourAttributes: [(InterfaceFlavour, [String])] = [
        (.migrationVersion, ["migration_version"]),
        (.json, ["migration_compatibility"]),
        (.compatible, ["compatible_device", "compatible_driver", "compatible_software_version", "compatible_type",
                       "compatible_vendor", "dynamic_resources", "software_version"]),
    ]

    @Test("only the host's flavours appear", arguments: flavourAttributes)
    func flavours(flavour: InterfaceFlavour, names: [String]) throws {
        let flavours: Set<InterfaceFlavour> = [flavour]
        let gvt = try Testbed(.gvt(), flavours: flavours)
        let core = ["available_instances", "create", "description", "device_api", "devices", "name"]
        #expect(gvt.names(gvt.typePath("i915-GVTg_V5_4")).sorted() == (core + names).sorted())
    }
}
