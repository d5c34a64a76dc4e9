import DriverCatalog
import SystemPackage
import SysfsTree
import Testing
@testable import KernelCore

/// Devices that leave the default host (removed mdevs, disabled VFs) must be
/// freed, with everything their drivers hung on them: a long-running server
/// would otherwise grow with every create/remove and every VF change.
@Suite struct LifetimeTests {
    let types = "devices/pci0000:00/0000:00:02.0/mdev_supported_types"
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    private func write(_ host: Host, _ path: String, _ text: String) throws {
        let attribute = try #require(host.root.resolve(path) as? Attribute, "\(path)")
        _ = try attribute.write(Array(text.utf8))
    }

    /// Reads every attribute below `directory`, so lazily built nodes and driver closures exist.
    private func touch(_ directory: Directory) {
        for node in directory.list() {
            if let attribute = node as? Attribute { _ = try? attribute.read() }
            if let child = node as? Directory { touch(child) }
        }
    }

    @Test func removedVGPUIsFreed() throws {
        let host = try DriverCatalog.defaultHost()
        try write(host, types + "/i915-GVTg_V5_4/create", uuid)
        weak let mdev = host.mdevs.first
        weak let directory = mdev?.directory
        if let directory { touch(directory) }
        try write(host, "bus/mdev/devices/\(uuid)/remove", "1")
        #expect(mdev == nil)
        #expect(directory == nil)
    }

    @Test(arguments: ["0000:3b:00.0", "0000:f3:00.0"])
    func disabledVFsAreFreed(pf: String) throws {
        let host = try DriverCatalog.defaultHost()
        try write(host, "bus/pci/devices/\(pf)/sriov_numvfs", "2")
        let vfs = host.devices.filter(\.isVirtualFunction)
        #expect(vfs.count == 2)
        vfs.forEach { touch($0.directory) }
        weak let first = vfs.first
        weak let firstDirectory = vfs.first?.directory
        weak let last = vfs.last
        try write(host, "bus/pci/devices/\(pf)/sriov_numvfs", "0")
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
    private func touch(_ directory: Directory) {
        for node in directory.list() {
            if let attribute = node as? Attribute { _ = try? attribute.read() }
            if let child = node as? Directory { touch(child) }
        }
    }

    @Test func droppedHostIsFreed() throws {
        weak var freed: Host?
        weak var device: PCIDevice?
        do {
            let host = try DriverCatalog.defaultHost()
            for (path, text) in [("bus/pci/devices/0000:3b:00.0/sriov_numvfs", "2"),
                                 ("bus/pci/devices/0000:f3:00.0/sriov_numvfs", "1"),
                                 ("class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create",
                                  "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001")] {
                let attribute = try #require(host.root.resolve(path) as? Attribute)
                _ = try attribute.write(Array(text.utf8))
            }
            touch(host.root)
            freed = host
            device = host.devices.first
        }
        #expect(freed == nil)
        #expect(device == nil)
    }
}
