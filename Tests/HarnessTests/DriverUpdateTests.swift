import DriverCatalog
import FuseServer
import KernelCore
import SysfsTree
import Testbed
import Testing
@testable import Harness

/// `update` with the real drivers: what changes at once, and what needs a new device.
@Suite struct DriverUpdateTests {
    struct Mounted {
        let hosts: [Host]
        let system: LiveSystem
        let bed: Testbed

        init() throws {
            let (scenario, declared) = try DriverCatalog.loadDeclaredScenario(nil, log: { KernelMessages.record($0) })
            hosts = scenario.hosts.map(\.host)
            bed = Testbed(host: hosts[0])
            system = LiveSystem(hosts: hosts, declarations: try declared.map { try HostDeclaration($0) },
                                faults: FaultPlan(), drivers: { DriverCatalog.factory(named: $0) },
                                driverNames: DriverCatalog.names)
        }

        @discardableResult
        func ctl(_ words: String...) -> ControlReply { system.execute(words) }
    }

    let gvtType = "/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/migration_version"

    @Test func gvtSoftwareVersionChangesAtOnce() throws {
        let test = try Mounted()
        let before = try test.bed.read(gvtType).get()
        #expect(before.hasSuffix("-00000001\n"))
        let reply = test.ctl("update", "0000:00:02.0", "software_version=2")
        #expect(reply.status == 0)
        let after = try test.bed.read(gvtType).get()
        #expect(after == before.replacingOccurrences(of: "-00000001\n", with: "-00000002\n"))
        #expect(reply.output.contains("~ /devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/migration_version: "
                                      + before.dropLast() + " -> " + after.dropLast() + "\n"))
        #expect(test.ctl("update", "0000:00:02.0", "migration=false").status == 0)
        #expect(test.bed.read(gvtType) == .failure(.noDevice))
    }

    @Test func gvtDeviceAndApertureNeedANewDevice() throws {
        let test = try Mounted()
        #expect(test.ctl("update", "0000:00:02.0", "aperture_mb=1024").error
                == "0000:00:02.0: cannot update: the BAR layout would change; unplug and plug it instead")
        #expect(test.ctl("update", "0000:00:02.0", "device=0x1912").error
                == "0000:00:02.0: cannot update: the PCI identity would change; unplug and plug it instead")
        #expect(test.ctl("update", "0000:00:02.0", "software_version=-1").error
                == "0000:00:02.0: cannot update: software_version: expected 0 to 4294967295, got -1")
    }

    @Test func nvmeDriverVersionAndDefaultURL() throws {
        let test = try Mounted()
        test.ctl("set-vfs", "0000:3b:00.0", "2")
        let vf = "/bus/pci/devices/0000:3b:00.1/migration_version"
        let before = try test.bed.read(vf).get()
        #expect(test.ctl("update", "0000:3b:00.0", "driver_version=1.1.0").status == 0)
        #expect(test.bed.read(vf) == .success(before.replacingOccurrences(of: "-1.0.0-", with: "-1.1.0-")))
        #expect(test.ctl("update", "0000:3b:00.0", "remote_url=nvme+tcp://192.0.2.20:4420/nqn.2014-08.com.example:pool1")
            .status == 0)
        #expect(test.bed.read("/bus/pci/devices/0000:3b:00.2/remote_url") == .success("nvme+tcp://192.0.2.20:4420/nqn.2014-08.com.example:pool1\n"))
        #expect(test.ctl("update", "0000:3b:00.0", "total_vfs=8").error
                == "0000:3b:00.0: cannot update: the SR-IOV capability would change; unplug and plug it instead")
    }

    @Test func qatServicesFollowTheSettingsOnlyWhenTheyChange() throws {
        let test = try Mounted()
        let services = "/bus/pci/devices/0000:f3:00.0/qat/cfg_services"
        #expect(test.bed.read(services) == .success("sym;asym\n"))
        #expect(test.ctl("update", "0000:f3:00.0", "cfg_services=dc").status == 0)
        #expect(test.bed.read(services) == .success("dc\n"))
        #expect(test.ctl("write", services.replacingOccurrences(of: "cfg_services", with: "state"), "down").status == 0)
        #expect(test.ctl("write", services, "sym").status == 0)
        #expect(test.ctl("update", "0000:f3:00.0", "driver_version=1.2.0").status == 0)
        #expect(test.bed.read(services) == .success("sym\n"))
        #expect(try test.bed.read("/bus/pci/devices/0000:f3:00.0/migration_version").get().contains("-1.2.0-"))
    }

    @Test func qatScalableIOVOffersATypeByRebinding() throws {
        let test = try Mounted()
        #expect(test.bed.read("/bus/pci/devices/0000:f3:00.0/mdev_supported_types/4xxx-vqat_vf/available_instances")
                == .failure(.noSuchFileOrDirectory))
        let reply = test.ctl("update", "0000:f3:00.0", "siov=true")
        #expect(reply.status == 0)
        #expect(reply.output.contains("+ /devices/pci0000:00/0000:f3:00.0/mdev_supported_types/\n"))
        #expect(test.bed.read("/bus/pci/devices/0000:f3:00.0/mdev_supported_types/4xxx-vqat_vf/available_instances")
                == .success("16\n"))
    }

    /// A value is read as YAML: one nested past the limit is refused before the composer recurses into it.
    @Test func aDeeplyNestedValueIsRefused() throws {
        let test = try Mounted()
        let value = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let reply = test.ctl("update", "0000:3b:00.0", "driver_version=" + value)
        #expect(reply.status == 1)
        #expect(reply.error == "driver_version: nested deeper than 64 levels")
    }
}
