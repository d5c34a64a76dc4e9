import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

@Suite struct SRIOVTests {
    let pf = "/devices/pci0000:00/0000:3b:00.0"

    @Test func pfAttributesInKernelFormats() {
        let test = Testbed.pool()
        #expect(test.read(pf + "/sriov_totalvfs") == .success("8\n"))
        #expect(test.read(pf + "/sriov_numvfs") == .success("0\n"))
        #expect(test.read(pf + "/sriov_offset") == .success("1\n"))
        #expect(test.read(pf + "/sriov_stride") == .success("1\n"))
        #expect(test.read(pf + "/sriov_vf_device") == .success("a825\n"))
        #expect(test.read(pf + "/sriov_drivers_autoprobe") == .success("1\n"))
        #expect((test.node(pf + "/sriov_numvfs") as? Attribute)?.mode == 0o644)
    }

    @Test func enablingCreatesVFsWithLinksGroupsAndDriver() {
        let pool = PoolDriver(capacity: 4)
        let test = Testbed.pool(pool)
        #expect(test.write(pf + "/sriov_numvfs", "2\n") == .success(2))
        #expect(test.read(pf + "/sriov_numvfs") == .success("2\n"))
        #expect(test.link(pf + "/virtfn0") == "../0000:3b:00.1")
        #expect(test.link(pf + "/virtfn1") == "../0000:3b:00.2")
        let vf = "/devices/pci0000:00/0000:3b:00.1"
        #expect(test.link(vf + "/physfn") == "../0000:3b:00.0")
        #expect(test.read(vf + "/vendor") == .success("0x144d\n"))
        #expect(test.read(vf + "/device") == .success("0xa825\n"))
        #expect(test.link(vf + "/driver") == "../../../bus/pci/drivers/nvme")
        #expect(test.node(vf + "/sriov_numvfs") == nil)
        #expect(test.node(vf + "/remove") == nil)
        #expect(test.link("/bus/pci/devices/0000:3b:00.2") == "../../../devices/pci0000:00/0000:3b:00.2")
        let groups = [pf, vf, "/devices/pci0000:00/0000:3b:00.2"].compactMap { test.link($0 + "/iommu_group") }
        #expect(Set(groups).count == 3)
        #expect(pool.enabledVFCounts == [2])
        // Per VF (iov.c): add, change once the links exist, bind; then the PF's change.
        let events = test.uevents.all.suffix(7).map { "\($0.action) \($0.devpath)" }
        #expect(events == [
            "add /devices/pci0000:00/0000:3b:00.1", "change /devices/pci0000:00/0000:3b:00.1",
            "bind /devices/pci0000:00/0000:3b:00.1",
            "add /devices/pci0000:00/0000:3b:00.2", "change /devices/pci0000:00/0000:3b:00.2",
            "bind /devices/pci0000:00/0000:3b:00.2", "change /devices/pci0000:00/0000:3b:00.0",
        ])
        #expect(test.uevents.all.first { $0.action == .add && $0.devpath == vf }?.properties.first?.0 == "PCI_CLASS")
        #expect(test.uevents.all.first { $0.action == .bind && $0.devpath == vf }?.properties.first ?? ("", "") == ("DRIVER", "nvme"))
    }

    @Test(arguments: [
        ("x", Errno.invalidArgument), ("-1", .invalidArgument), ("65536", .invalidArgument),
        ("1 1", .invalidArgument), ("9", .outOfRange),
    ])
    func checksInKernelOrder(text: String, errno: Errno) {
        let test = Testbed.pool()
        #expect(test.write(pf + "/sriov_numvfs", text) == .failure(errno))
        #expect(test.read(pf + "/sriov_numvfs") == .success("0\n"))
    }

    @Test func sameValueIsANoOpAndChangeNeedsZeroFirst() {
        let test = Testbed.pool()
        test.write(pf + "/sriov_numvfs", "2")
        #expect(test.write(pf + "/sriov_numvfs", "2") == .success(1))
        #expect(test.write(pf + "/sriov_numvfs", "3") == .failure(.resourceBusy))
        #expect(test.read(pf + "/sriov_numvfs") == .success("2\n"))
        #expect(test.write(pf + "/sriov_numvfs", "0") == .success(1))
        #expect(test.node(pf + "/virtfn0") == nil)
        #expect(test.node("/devices/pci0000:00/0000:3b:00.1") == nil)
        #expect(test.names("/bus/pci/devices") == ["0000:00:02.0", "0000:3b:00.0"])
        #expect(test.write(pf + "/sriov_numvfs", "0x3") == .success(3))
        #expect(test.read(pf + "/sriov_numvfs") == .success("3\n"))
    }

    @Test func unboundPFIsENOENT() {
        let test = Testbed.pool()
        test.write("/bus/pci/drivers/nvme/unbind", "0000:3b:00.0")
        #expect(test.write(pf + "/sriov_numvfs", "1") == .failure(.noSuchFileOrDirectory))
        #expect(test.write(pf + "/sriov_numvfs", "9") == .failure(.outOfRange))
    }

    @Test func autoprobeOffLeavesVFsUnbound() {
        let test = Testbed.pool()
        #expect(test.write(pf + "/sriov_drivers_autoprobe", "n") == .success(1))
        #expect(test.write(pf + "/sriov_drivers_autoprobe", "maybe") == .failure(.invalidArgument))
        test.write(pf + "/sriov_numvfs", "1")
        #expect(test.node("/devices/pci0000:00/0000:3b:00.1/driver") == nil)
    }

    @Test func configSpaceFollowsNumVFs() throws {
        let test = Testbed.pool()
        test.write(pf + "/sriov_numvfs", "4")
        let config = try #require(test.node(pf + "/config") as? BinaryAttribute)
        let numVFs = try config.read(offset: 0x110, count: 2)
        #expect(numVFs == [4, 0])
        #expect(try config.read(offset: 0, count: 4) == [0x4d, 0x14, 0x24, 0xa8])
    }
}
