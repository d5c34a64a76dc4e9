import Testbed
import Testing

/// The testbed does what docs/architecture.md shows.
@Suite struct TestbedTests {
    @Test func theDocumentedExample() throws {
        let bed = try Testbed(.gvt(["aperture_mb": .integer(1024)]), .nvme(vfs: 2))
        #expect(bed.write(bed.typePath("i915-GVTg_V5_8") + "/create", uuid1) == .success(36))
        #expect(bed.read("/bus/pci/devices/0000:3b:00.1/sriov_numvfs") == .failure(.noSuchFileOrDirectory))
        #expect(bed.link("/bus/mdev/devices/" + uuid1) == "../../../devices/pci0000:00/0000:00:02.0/" + uuid1)
        #expect(bed.uevents.last?.devpath == "/devices/pci0000:00/0000:00:02.0/" + uuid1)
        #expect(bed.write("/bus/pci/devices/0000:3b:00.1/migration_version", "nvme-1") == .failure(.invalidArgument))
        #expect(bed.log.last == "0000:3b:00.1: migration_version refused: wrong string format: "
                + "vendor `1`: expected 4 lowercase hex digits")
    }
}
