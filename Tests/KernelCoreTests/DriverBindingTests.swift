import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

/// Driver binding on the PCI bus as `drivers/base/bus.c`, `dd.c` and
/// `drivers/pci/pci-driver.c` do it: the bus and driver files, their errnos,
/// the state read back, and the uevents in the kernel's order.
@Suite struct DriverBindingTests {
    let pf = "/devices/pci0000:00/0000:3b:00.0"
    let vf1 = "/devices/pci0000:00/0000:3b:00.1"

    @Test func driversProbeBindsThroughTheOverrideAndSucceedsWhenNothingMatches() {
        let test = Testbed.pool()
        #expect(test.write("/bus/pci/drivers_probe", "0000:99:00.0") == .failure(.noDevice))
        #expect(test.write("/bus/pci/drivers/nvme/unbind", "0000:3b:00.0") == .success(12))
        #expect(test.write(pf + "/driver_override", "pool\n") == .success(5))
        #expect(test.write("/bus/pci/drivers_probe", "0000:3b:00.0\n") == .success(13))
        #expect(test.link(pf + "/driver") == "../../../bus/pci/drivers/pool")
        #expect(test.write("/bus/pci/drivers/pool/unbind", "0000:3b:00.0") == .success(12))
        // An override naming a driver that is not registered: the probe finds nothing, and says so by succeeding.
        #expect(test.write(pf + "/driver_override", "absent") == .success(6))
        #expect(test.write("/bus/pci/drivers_probe", "0000:3b:00.0") == .success(12))
        #expect(test.link(pf + "/driver") == nil)
        #expect(test.write(pf + "/driver_override", "\n") == .success(1))
        #expect(test.write("/bus/pci/drivers_probe", "0000:3b:00.0") == .success(12))
        #expect(test.link(pf + "/driver") == "../../../bus/pci/drivers/nvme")
        // The pool driver registers its mdev parent in probe and unregisters it in remove,
        // so MDEV_STATE changes come before each bind and unbind.
        #expect(test.uevents.all.suffix(8).map { "\($0.action) \($0.properties.first?.1 ?? "")" } == [
            "change unregistered", "unbind 10802", "change registered", "bind pool",
            "change unregistered", "unbind 10802", "change registered", "bind nvme",
        ])
    }

    @Test func aVFWhosePFTurnedAutoprobeOffBindsOnlyThroughItsOverride() {
        let test = Testbed.pool()
        #expect(test.write(pf + "/sriov_drivers_autoprobe", "0") == .success(1))
        #expect(test.write(pf + "/sriov_numvfs", "1") == .success(1))
        #expect(test.link(vf1 + "/driver") == nil)
        #expect(test.write("/bus/pci/drivers/nvme/bind", "0000:3b:00.1") == .failure(.noDevice))
        #expect(test.write("/bus/pci/drivers_probe", "0000:3b:00.1") == .success(12))
        #expect(test.link(vf1 + "/driver") == nil)
        #expect(test.write(vf1 + "/driver_override", "nvme") == .success(4))
        #expect(test.write("/bus/pci/drivers/nvme/bind", "0000:3b:00.1") == .success(12))
        #expect(test.link(vf1 + "/driver") == "../../../bus/pci/drivers/nvme")
    }

    @Test func busAutoprobeOffLeavesNewFunctionsUnbound() {
        let test = Testbed.pool()
        #expect(test.read("/bus/pci/drivers_autoprobe") == .success("1\n"))
        #expect(test.write("/bus/pci/drivers_autoprobe", "0\n") == .success(2))
        #expect(test.read("/bus/pci/drivers_autoprobe") == .success("0\n"))
        #expect(test.write(pf + "/sriov_numvfs", "1") == .success(1))
        #expect(test.link(vf1 + "/driver") == nil)
        #expect(test.uevents.all.contains { $0.action == .bind && $0.devpath == vf1 } == false)
        // drivers_probe ignores the bus's autoprobe, as device_attach does.
        #expect(test.write("/bus/pci/drivers_probe", "0000:3b:00.1") == .success(12))
        #expect(test.link(vf1 + "/driver") == "../../../bus/pci/drivers/nvme")
        #expect(test.write("/bus/pci/drivers_autoprobe", "yes") == .success(3))
        #expect(test.read("/bus/pci/drivers_autoprobe") == .success("1\n"))
    }

    @Test func newIDBindsWhatItMatchesAndRemoveIDTakesItBack() {
        let test = Testbed.pool()
        #expect(test.write("/bus/pci/drivers/nvme/unbind", "0000:3b:00.0") == .success(12))
        #expect(test.write("/bus/pci/drivers/pool/new_id", "144d") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/drivers/pool/new_id", "zz a824") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/drivers/pool/new_id", "144d a824 ffffffff ffffffff 0 0 1") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/drivers/pool/new_id", "144d a824\n") == .success(10))
        #expect(test.link(pf + "/driver") == "../../../bus/pci/drivers/pool")
        #expect(test.write("/bus/pci/drivers/pool/new_id", "0x144d 0xa824") == .failure(.fileExists))
        #expect(test.write("/bus/pci/drivers/pool/remove_id", "144d a825") == .failure(.noDevice))
        #expect(test.write("/bus/pci/drivers/pool/remove_id", "1") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/drivers/pool/remove_id", "144d a824") == .success(9))
        #expect(test.write("/bus/pci/drivers/pool/remove_id", "144d a824") == .failure(.noDevice))
        // Removing the ID leaves the bound function bound, as the kernel does.
        #expect(test.link(pf + "/driver") == "../../../bus/pci/drivers/pool")
    }

    @Test func aRemovedFunctionComesBackWithRescan() {
        let test = Testbed.pool()
        #expect(test.write(pf + "/remove", "1") == .success(1))
        #expect(test.node(pf) == nil)
        #expect(test.write("/bus/pci/rescan", "x") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/rescan", "0") == .success(1))
        #expect(test.node(pf) == nil)
        #expect(test.write("/bus/pci/rescan", "1") == .success(1))
        #expect(test.read(pf + "/vendor") == .success("0x144d\n"))
        #expect(test.link(pf + "/driver") == "../../../bus/pci/drivers/nvme")
        #expect(test.read(pf + "/sriov_numvfs") == .success("0\n"))
        #expect(test.uevents.all.suffix(3).map(\.action) == [.add, .change, .bind])
    }

    @Test func resourceAlignmentIsEmptyUntilSet() {
        let test = Testbed.pool()
        #expect(test.read("/bus/pci/resource_alignment") == .success(""))
        #expect(test.write("/bus/pci/resource_alignment", "20@0000:3b:00.0\n") == .success(16))
        #expect(test.read("/bus/pci/resource_alignment") == .success("20@0000:3b:00.0\n"))
        #expect(test.write("/bus/pci/resource_alignment", String(repeating: "1", count: 4095)) == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/resource_alignment", "\n") == .success(1))
        #expect(test.read("/bus/pci/resource_alignment") == .success(""))
    }

    @Test func busAndDriverUEventFilesSynthesizeEvents() {
        let test = Testbed.pool()
        #expect(test.write("/bus/pci/uevent", "bogus") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/uevent", "change") == .success(6))
        #expect(test.write("/bus/pci/drivers/nvme/uevent", "add") == .success(3))
        #expect(test.write(pf + "/uevent", "change") == .success(6))
        #expect(test.uevents.all.suffix(3).map { "\($0.action) \($0.devpath) \($0.subsystem)" } == [
            "change /bus/pci bus", "add /bus/pci/drivers/nvme drivers", "change \(pf) pci",
        ])
        #expect(test.uevents.all.last?.properties.first ?? ("", "") == ("SYNTH_UUID", "0"))
        #expect(test.uevents.all.last?.properties.dropFirst().first ?? ("", "") == ("DRIVER", "nvme"))
    }

    @Test func removingABoundFunctionUnbindsItFirst() {
        let test = Testbed.pool()
        #expect(test.write(pf + "/sriov_numvfs", "2") == .success(1))
        #expect(test.write(pf + "/sriov_numvfs", "0") == .success(1))
        // sriov_del_vfs: first VF to last, each unbound then removed; no uevent of the PF's own.
        #expect(test.uevents.all.suffix(4).map { "\($0.action) \($0.devpath)" } == [
            "unbind \(vf1)", "remove \(vf1)",
            "unbind /devices/pci0000:00/0000:3b:00.2", "remove /devices/pci0000:00/0000:3b:00.2",
        ])
        #expect(test.uevents.all.suffix(4).allSatisfy { $0.properties.first?.0 != "DRIVER" })
    }
}

/// The mdev bus: devices bind to their parent driver's `mdev_driver`.
@Suite struct MdevDriverBindingTests {
    let parent = "/devices/pci0000:00/0000:00:02.0"
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    @Test func busAutoprobeShowsWhatWasWritten() {
        let test = Testbed.pool()
        #expect(test.read("/bus/mdev/drivers_autoprobe") == .success("1\n"))
        #expect(test.write("/bus/mdev/drivers_autoprobe", "0") == .success(1))
        #expect(test.read("/bus/mdev/drivers_autoprobe") == .success("0\n"))
    }

    @Test func unbindAndBindMoveTheDriverLink() throws {
        let test = Testbed.pool()
        #expect(test.write(parent + "/mdev_supported_types/pool-small/create", uuid) == .success(36))
        let device = parent + "/" + uuid
        #expect(test.write("/bus/mdev/drivers/pool_mdev/unbind", "nope") == .failure(.noDevice))
        #expect(test.write("/bus/mdev/drivers/pool_mdev/unbind", uuid) == .success(36))
        #expect(test.link(device + "/driver") == nil)
        #expect(test.read(device + "/uevent") == .success(""))
        #expect(test.write("/bus/mdev/drivers/pool_mdev/unbind", uuid) == .failure(.noDevice))
        #expect(test.write("/bus/mdev/drivers_probe", uuid + "\n") == .success(37))
        #expect(test.link(device + "/driver") == "../../../../bus/mdev/drivers/pool_mdev")
        #expect(test.write("/bus/mdev/drivers/pool_mdev/bind", uuid) == .failure(.resourceBusy))
        #expect(test.write(device + "/uevent", "change") == .success(6))
        #expect(test.uevents.all.suffix(3).map(\.action) == [.unbind, .bind, .change])
        #expect(test.write(device + "/remove", "1") == .success(1))
        #expect(test.uevents.all.suffix(2).map(\.action) == [.unbind, .remove])
    }
}
