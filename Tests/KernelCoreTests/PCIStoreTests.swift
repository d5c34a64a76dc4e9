import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

/// The PCI stores whose checks current kernels made uniform (EINVAL for any parse error).
@Suite struct PCIStoreTests {
    let gpu = "/devices/pci0000:00/0000:00:02.0"
    let pf = "/devices/pci0000:00/0000:3b:00.0"

    @Test func numaNodeFoldsOverflowIntoEINVAL() {
        let test = Testbed.pool()
        #expect(test.write(gpu + "/numa_node", "2147483648") == .failure(.invalidArgument))
        #expect(test.write(gpu + "/numa_node", "-+1") == .failure(.invalidArgument))
        #expect(test.write(gpu + "/numa_node", "0") == .success(1))
        #expect(test.read(gpu + "/numa_node") == .success("0\n"))
        #expect(test.write(gpu + "/numa_node", "-0x1\n") == .success(5))
        #expect(test.read(gpu + "/numa_node") == .success("-1\n"))
    }

    @Test func enableIsBusyWhileBoundAndCountsOtherwise() {
        let test = Testbed.pool()
        #expect(test.write(pf + "/enable", "1") == .failure(.resourceBusy))
        #expect(test.write(pf + "/enable", "y") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/drivers/nvme/unbind", "0000:3b:00.0") == .success(12))
        #expect(test.read(pf + "/enable") == .success("0\n"))
        #expect(test.write(pf + "/enable", "0") == .failure(.ioError))
        #expect(test.write(pf + "/enable", "2") == .success(1))
        #expect(test.read(pf + "/enable") == .success("1\n"))
        #expect(test.write(pf + "/enable", "0x0") == .success(3))
        #expect(test.read(pf + "/enable") == .success("0\n"))
    }

    /// `reset_store`: kstrtoul, then only 1; with every method disabled, ENOTTY.
    @Test func resetTakesOnlyOne() {
        let test = Testbed.pool()
        #expect(test.write(gpu + "/reset", "1") == .success(1))
        #expect(test.write(gpu + "/reset", "0x1\n") == .success(4))
        #expect(test.write(gpu + "/reset", "yes") == .failure(.invalidArgument))
        #expect(test.write(gpu + "/reset", "0") == .failure(.invalidArgument))
        #expect(test.write(gpu + "/reset", "2") == .failure(.invalidArgument))
        #expect(test.read(gpu + "/reset_method") == .success("flr\n"))
        #expect(test.write(gpu + "/reset_method", "bus") == .failure(.invalidArgument))
        #expect(test.write(gpu + "/reset_method", "nonsense") == .failure(.invalidArgument))
        #expect(test.write(gpu + "/reset_method", "\n") == .success(1))
        #expect(test.read(gpu + "/reset_method") == .success(""))
        #expect(test.write(gpu + "/reset", "1") == .failure(.inappropriateIOCTLForDevice))
        #expect(test.write(gpu + "/reset_method", "default\n") == .success(8))
        #expect(test.write(gpu + "/reset_method", " flr ") == .success(5))
        #expect(test.read(gpu + "/reset_method") == .success("flr\n"))
    }

    /// `remove_store` takes a number: zero keeps the function, any other removes it.
    @Test func removeTakesANumber() {
        let test = Testbed.pool()
        #expect(test.node(pf + "/remove")?.mode == 0o220)
        #expect(test.write(pf + "/remove", "y") == .failure(.invalidArgument))
        #expect(test.write(pf + "/remove", "0") == .success(1))
        #expect(test.node(pf) != nil)
        #expect(test.write(pf + "/rescan", "y") == .failure(.invalidArgument))
        #expect(test.write(pf + "/rescan", "2") == .success(1))
        #expect(test.write(pf + "/remove", "2\n") == .success(2))
        #expect(test.node(pf) == nil)
    }

    /// VFs have no INTx: `irq` 0 and Interrupt Pin 0 in config space.
    @Test func virtualFunctionsHaveNoInterruptPin() throws {
        let test = Testbed.pool()
        #expect(test.write(pf + "/sriov_numvfs", "1") == .success(1))
        let vf = "/bus/pci/devices/0000:3b:00.1"
        #expect(test.read(vf + "/irq") == .success("0\n"))
        let config = try #require(test.node(vf + "/config") as? BinaryAttribute)
        #expect(try config.read(offset: 0x3c, count: 2) == [0, 0])
        let pfConfig = try #require(test.node(pf + "/config") as? BinaryAttribute)
        #expect(try pfConfig.read(offset: 0x3d, count: 1) == [1])
        #expect(try pfConfig.read(offset: 0x47, count: 1) == [0x10], "Device Capabilities: FLReset+")
    }

    @Test func bindNeedsAMatchingDriverThenAnUnboundDevice() {
        let test = Testbed.pool()
        #expect(test.write("/bus/pci/drivers/nvme/bind", "0000:00:02.0") == .failure(.noDevice))
        #expect(test.write("/bus/pci/drivers/nvme/bind", "0000:3b:00.0\n") == .failure(.resourceBusy))
        #expect(test.write("/bus/pci/drivers/nvme/unbind", "0000:00:02.0") == .failure(.noDevice))
        #expect(test.write("/bus/pci/drivers/nvme/unbind", "0000:3b:00.0") == .success(12))
        #expect(test.write("/bus/pci/drivers/pool/bind", "0000:3b:00.0") == .failure(.noDevice))
        #expect(test.write(pf + "/driver_override", "pool") == .success(4))
        #expect(test.write("/bus/pci/drivers/nvme/bind", "0000:3b:00.0") == .failure(.noDevice))
        #expect(test.write("/bus/pci/drivers/pool/bind", "0000:3b:00.0") == .success(12))
        #expect(test.link(pf + "/driver") == "../../../bus/pci/drivers/pool")
    }

    @Test func driverOverrideKeepsBytesUpToNULOrNewline() throws {
        let test = Testbed.pool()
        let attribute = try #require(test.node(gpu + "/driver_override") as? Attribute)
        #expect(try attribute.write([0xff, 0xfe, 0x0a, 0x41]) == 4)
        #expect(try attribute.read() == [0xff, 0xfe, 0x0a])
        #expect(try attribute.write(Array("abc\u{0}def".utf8)) == 7)
        #expect(test.read(gpu + "/driver_override") == .success("abc\n"))
        #expect(try attribute.write([0x0a]) == 1)
        #expect(test.read(gpu + "/driver_override") == .success("(null)\n"))
        #expect(test.write(gpu + "/driver_override", String(repeating: "a", count: 4094)) == .success(4094))
        #expect(test.write(gpu + "/driver_override", String(repeating: "a", count: 4095)) == .failure(.invalidArgument))
    }

    @Test(arguments: [
        ("change", true), ("change\n", true), ("change\u{0}", true), ("add", true), ("unbind\n", true),
        ("change 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", true),
        ("change 83B8F4F2-509F-382F-3C1E-E6BFE0FA1001 KEY=value2 A=1\n", true),
        ("chang", false), ("changes", false), ("CHANGE", false), (" change", false), ("change ", false),
        ("change\n\n", false), ("change x", false), ("change 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 KEY", false),
        ("change 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 K-Y=1", false),
        ("change 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 KEY=", false),
        ("change 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001  A=1", false),
    ] as [(String, Bool)])
    func ueventWriteParsesLikeKobjectSynthUEvent(text: String, accepted: Bool) {
        let test = Testbed.pool()
        let before = test.uevents.all.count
        let result = test.write(gpu + "/uevent", text)
        #expect(result == (accepted ? .success(text.utf8.count) : .failure(.invalidArgument)))
        #expect(test.uevents.all.count == before + (accepted ? 1 : 0))
    }

    @Test func syntheticEventCarriesItsUUIDAndArguments() {
        let test = Testbed.pool()
        test.write(gpu + "/uevent", "change 83B8F4F2-509F-382F-3C1E-E6BFE0FA1001 KEY=v1\n")
        let event = test.uevents.all.last
        #expect(event?.action == .change)
        #expect(event?.properties.prefix(2).map { $0.0 + "=" + $0.1 }
                == ["SYNTH_UUID=83B8F4F2-509F-382F-3C1E-E6BFE0FA1001", "SYNTH_ARG_KEY=v1"])
        test.write(gpu + "/uevent", "add")
        #expect(test.uevents.all.last?.properties.first.map { $0.0 + "=" + $0.1 } == "SYNTH_UUID=0")
    }
}
