import DriverCatalog
import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

/// Devices that leave the default host (removed mdevs, disabled VFs) must be
/// freed, with everything their drivers hung on them: a long-running server
/// would otherwise grow with every create/remove and every VF change.
@Suite struct LifetimeTests {
    let types = "/devices/pci0000:00/0000:00:02.0/mdev_supported_types"
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    @Test func removedVGPUIsFreed() throws {
        let bed = try Testbed.defaultHost()
        let host = bed.host
        _ = try bed.write(types + "/i915-GVTg_V5_4/create", uuid).get()
        weak let mdev = host.mdevs.first
        weak let directory = mdev?.directory
        if let directory { Testbed.touchEverything(below: directory) }
        _ = try bed.write("/bus/mdev/devices/\(uuid)/remove", "1").get()
        #expect(mdev == nil)
        #expect(directory == nil)
    }

    /// QAT enables every VF it has whatever the request (`adf_sriov_configure`).
    @Test(arguments: [("0000:3b:00.0", 2), ("0000:f3:00.0", 16)])
    func disabledVFsAreFreed(pf: String, enabled: Int) throws {
        let bed = try Testbed.defaultHost()
        let host = bed.host
        _ = try bed.write("/bus/pci/devices/\(pf)/sriov_numvfs", "2").get()
        let vfs = host.devices.filter(\.isVirtualFunction)
        #expect(vfs.count == enabled)
        vfs.forEach { Testbed.touchEverything(below: $0.directory) }
        weak let first = vfs.first
        weak let firstDirectory = vfs.first?.directory
        weak let last = vfs.last
        _ = try bed.write("/bus/pci/devices/\(pf)/sriov_numvfs", "0").get()
        withExtendedLifetime(vfs) {}
        #expect(host.devices.filter(\.isVirtualFunction).isEmpty)
        _ = consume vfs
        #expect(first == nil)
        #expect(firstDirectory == nil)
        #expect(last == nil)
    }
}

/// A host nobody holds any more is freed with its whole tree, drivers and
/// devices included (tests, `scenario check` and fleets build and drop hosts).
@Suite struct HostLifetimeTests {
    @Test func droppedHostIsFreed() throws {
        weak var freed: Host?
        weak var device: PCIDevice?
        do {
            let bed = try Testbed.defaultHost()
            for (path, text) in [("/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "2"),
                                 ("/bus/pci/devices/0000:f3:00.0/sriov_numvfs", "1"),
                                 ("/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create",
                                  "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001")] {
                _ = try bed.write(path, text).get()
            }
            Testbed.touchEverything(below: bed.host.root)
            freed = bed.host
            device = bed.host.devices.first
        }
        #expect(freed == nil)
        #expect(device == nil)
    }
}
