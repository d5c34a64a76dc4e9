import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

/// Drivers exist because their module is loaded, and `/sys/module` shows each module.
@Suite struct ModuleTests {
    @Test func vfioPCIAndThePortDriverAreAlwaysThere() {
        let test = Testbed()
        #expect(test.names("/bus/pci/drivers") == ["pcieport", "vfio-pci"])
        #expect(test.names("/bus/pci/drivers/vfio-pci") == ["bind", "module", "new_id", "remove_id", "uevent", "unbind"])
        #expect(test.link("/bus/pci/drivers/vfio-pci/module") == "../../../../module/vfio_pci")
        #expect(test.link("/bus/pci/drivers/pcieport/module") == "../../../../module/pcieportdrv")
        #expect(test.names("/module") == ["pcieportdrv", "vfio", "vfio_iommu_type1", "vfio_pci", "vfio_pci_core"])
        #expect(test.link("/module/vfio_pci/drivers/pci:vfio-pci") == "../../../bus/pci/drivers/vfio-pci")
        #expect(test.names("/module/pcieportdrv") == ["drivers", "uevent"])
        #expect(test.names("/module/vfio_pci") == ["drivers", "holders", "initstate", "parameters", "refcnt", "taint", "uevent"])
        #expect(test.read("/module/vfio_pci/initstate") == .success("live\n"))
        #expect(test.read("/module/vfio_pci/refcnt") == .success("0\n"))
        #expect(test.read("/module/vfio/refcnt") == .success("3\n"))
        #expect(test.names("/module/vfio/holders") == ["vfio_iommu_type1", "vfio_pci", "vfio_pci_core"])
        #expect(test.link("/module/vfio/holders/vfio_pci") == "../../vfio_pci")
    }

    @Test func parametersParseAsTheirKernelType() {
        let test = Testbed()
        let parameters = "/module/vfio_pci/parameters/"
        #expect(test.names(parameters) == ["disable_denylist", "disable_idle_d3", "disable_vga", "enable_sriov", "nointxmask"])
        #expect(test.read(parameters + "enable_sriov") == .success("N\n"))
        #expect(test.write(parameters + "enable_sriov", "2") == .failure(.invalidArgument))
        #expect(test.write(parameters + "enable_sriov", "on\n") == .success(3))
        #expect(test.read(parameters + "enable_sriov") == .success("Y\n"))
        #expect(test.write(parameters + "disable_vga", "1") == .failure(.ioError))
        let limit = "/module/vfio_iommu_type1/parameters/dma_entry_limit"
        #expect(test.read(limit) == .success("65535\n"))
        #expect(test.write(limit, "0x10000") == .success(7))
        #expect(test.read(limit) == .success("65536\n"))
        #expect(test.write(limit, "4294967296") == .failure(.outOfRange))
        #expect(test.write(limit, "-1") == .failure(.invalidArgument))
    }

    @Test func aDevicesDriverLoadsItsModule() throws {
        let test = try Testbed.defaultHost()
        #expect(test.names("/bus/pci/drivers") == ["4xxx", "i915", "nvme", "pcieport", "vfio-pci"])
        #expect(test.link("/bus/pci/drivers/nvme/module") == "../../../../module/nvme")
        #expect(test.link("/bus/pci/drivers/4xxx/module") == "../../../../module/qat_4xxx")
        #expect(test.link("/module/qat_4xxx/drivers/pci:4xxx") == "../../../bus/pci/drivers/4xxx")
        #expect(test.read("/module/i915/parameters/enable_gvt") == .success("Y\n"))
        #expect(test.names("/module/nvme_core/holders") == ["nvme"])
        #expect(test.read("/module/nvme/parameters/sgl_threshold") == .success("32768\n"))
    }

    @Test func aModuleTakesSyntheticUEvents() {
        let test = Testbed()
        #expect(test.write("/module/vfio_pci/uevent", "change") == .success(6))
        #expect(test.uevents.all.last == UEvent(action: .change, devpath: "/module/vfio_pci", subsystem: "module",
                                                properties: [("SYNTH_UUID", "0")]))
        #expect(test.write("/module/vfio_pci/uevent", "bogus") == .failure(.invalidArgument))
    }
}
