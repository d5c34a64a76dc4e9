import Testing
@testable import SysfsTree

/// A directory's `nlink` source and modification time, which follow its entries.
@Suite struct DirectoryStatusTests {
    private let root = Directory()

    @Test func countsSubdirectoriesThroughInsertReplaceAndRemove() {
        let device = root.directory("device")
        #expect(device.status.subdirectoryCount == 0)
        device.directory("power")
        device.directory("msi_irqs")
        device.attribute("vendor", mode: 0o444) { "0x8086\n" }
        device.symlink("driver", to: "/bus/pci/drivers/i915")
        #expect(device.status.subdirectoryCount == 2)
        device.attribute("power", mode: 0o444) { "on\n" }
        #expect(device.status.subdirectoryCount == 1)
        device.remove("msi_irqs")
        #expect(device.status.subdirectoryCount == 0)
    }

    @Test func countsTheSubdirectoriesALazyDirectoryBuilds() {
        let device = root.directory("device") { directory in
            [directory.makeDirectory("power"), directory.makeAttribute("vendor", mode: 0o444) { "0x8086\n" }]
        }
        #expect(device.status.subdirectoryCount == 1)
    }

    @Test func everyChangeMovesTheModificationTimeStrictlyOn() {
        let device = root.directory("device")
        #expect(device.status.modified == device.created)
        var last = device.status.modified
        for index in 0..<100 {
            device.attribute("attribute\(index)", mode: 0o444) { "1\n" }
            #expect(device.status.modified > last)
            last = device.status.modified
            device.remove("attribute\(index)")
            #expect(device.status.modified > last)
            last = device.status.modified
        }
        _ = device.list()
        device.remove("never-there")
        #expect(device.status.modified == last)
    }
}
