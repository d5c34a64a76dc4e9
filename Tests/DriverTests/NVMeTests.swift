import KernelCore
import SysfsTree
import SystemPackage
import Testbed
import Testing

@Suite("NVMe VF")
struct NVMeTests {
    static let vf1 = "/bus/pci/devices/0000:3b:00.1"
    static let vf2 = "/bus/pci/devices/0000:3b:00.2"
    static let url = "nvme+tcp://192.0.2.10:4420/nqn.2014-08.com.example:pool0"

    @Test("the PF and its VFs look like the real nvme SR-IOV device")
    func layout() throws {
        let nvme = try Testbed(.nvme())
        #expect(nvme.read("/bus/pci/devices/0000:3b:00.0/sriov_totalvfs") == .success("32\n"))
        #expect(nvme.read("/bus/pci/devices/0000:3b:00.0/class") == .success("0x010802\n"))
        #expect(nvme.read(Self.vf1 + "/device") == .success("0xa824\n"))
        #expect(nvme.read(Self.vf1 + "/uevent").map { $0.hasPrefix("DRIVER=nvme\n") } == .success(true))
        #expect(nvme.read("/bus/pci/devices/0000:3b:00.0/migration_version").error == .noSuchFileOrDirectory)
    }

    @Test("a VF's string carries its PCI ID, the driver version and its remote storage")
    func string() throws {
        let nvme = try Testbed(.nvme(["driver_version": .string("1.4.2")]))
        #expect(nvme.read(Self.vf1 + "/migration_version") == .success("nvme-144d-a824-1.4.2-\(Self.url)\n"))
        #expect(nvme.read(Self.vf1 + "/remote_url") == .success(Self.url + "\n"))
        let attribute = try #require(nvme.node(Self.vf1 + "/remote_url") as? SysfsTree.Attribute)
        #expect(attribute.mode == 0o644)
    }

    @Test("identical VFs accept each other's strings")
    func identical() throws {
        let nvme = try Testbed(.nvme())
        let string = try nvme.read(Self.vf1 + "/migration_version").get()
        #expect(nvme.write(Self.vf2 + "/migration_version", string) == .success(string.utf8.count))
        #expect(nvme.write(Self.vf1 + "/migration_version", string) == .success(string.utf8.count))
    }

    @Test("changing remote_url changes compatibility at run time, and the log says why")
    func changedURL() throws {
        let nvme = try Testbed(.nvme())
        let other = "nvme+rdma://[2001:db8::7]:4420/nqn.2014-08.com.example:pool1"
        #expect(nvme.write(Self.vf2 + "/remote_url", other + "\n") == .success(other.utf8.count + 1))
        #expect(nvme.read(Self.vf2 + "/remote_url") == .success(other + "\n"))
        let string = try nvme.read(Self.vf1 + "/migration_version").get()
        #expect(nvme.write(Self.vf2 + "/migration_version", string).error == .invalidArgument)
        #expect(nvme.log.last == "0000:3b:00.2: migration_version refused: remote_url not matched: "
                + "source \(Self.url), target \(other) (must be equal)")
        #expect(nvme.write(Self.vf2 + "/remote_url", Self.url) == .success(Self.url.utf8.count))
        #expect(nvme.write(Self.vf2 + "/migration_version", string) == .success(string.utf8.count))
    }

    @Test("remote_url refuses junk with EINVAL and keeps its value", arguments: [
        "", "\n", "http://192.0.2.1/nqn.2014-08.com.example:x", "nvme+tcp://192.0.2.1:0/nqn.2014-08.com.example:x",
        "nvme+tcp://192.0.2.1:65536/nqn.2014-08.com.example:x", "nvme+tcp://192.0.2.1/volume0",
        "nvme+tcp:///nqn.2014-08.com.example:x", "nvme+tcp://host name/nqn.2014-08.com.example:x",
        "nvme+tcp://192.0.2.1/nqn.2014-08.com.example:a,b", "nvme+tcp://192.0.2.1/nqn.2014-08.com.example:x\n\n",
        "nvme+tcp://-bad.example/nqn.2014-08.com.example:x", "nvme+tcp://192.0.2.1/nqn." + String(repeating: "x", count: 220),
        "nvme+tcp://192.0.2.1/nqn.2014-08.com.example:x/extra",
    ])
    func junkURL(url: String) throws {
        let nvme = try Testbed(.nvme())
        #expect(nvme.write(Self.vf1 + "/remote_url", url).error == (url.isEmpty ? nil : .invalidArgument))
        #expect(nvme.read(Self.vf1 + "/remote_url") == .success(Self.url + "\n"))
    }

    @Test("driver versions are judged as semantic versions", arguments: [
        ("1.2.0", "1.2.0", true), ("1.2.0", "1.3.0", true), ("1.2.9", "1.2.0", true),
        ("1.3.0", "1.2.0", false), ("1.2.0", "2.2.0", false), ("2.0.0", "1.9.9", false),
    ])
    func versionSkew(source: String, target: String, compatible: Bool) throws {
        let nvme = try Testbed(.nvme(["driver_version": .string(target)]))
        let written = "nvme-144d-a824-\(source)-\(Self.url)"
        #expect(nvme.write(Self.vf1 + "/migration_version", written).error == (compatible ? nil : .invalidArgument))
    }

    @Test("malformed and oversized strings are EINVAL", arguments: [
        "nvme-144d-a824-1.0.0-", "nvme-144d-a824-1.0-\(NVMeTests.url)", "nvme-144d-a824-01.0.0-\(NVMeTests.url)",
        "nvme-144D-a824-1.0.0-\(NVMeTests.url)", "qat-144d-a824-1.0.0-\(NVMeTests.url)",
        "nvme-144d-a824-1.0.0-\(NVMeTests.url)\u{0}", "nvme-144d-a824-1.0.0-\(NVMeTests.url)" + String(repeating: "x", count: 5000),
        String(repeating: "a", count: 4096), "\u{e9}",
    ])
    func malformed(written: String) throws {
        let nvme = try Testbed(.nvme())
        let result = nvme.write(Self.vf1 + "/migration_version", written)
        if written.hasSuffix("\u{0}") {
            #expect(result == .success(written.utf8.count), "the kernel stops at the NUL, as sysfs_streq does")
        } else {
            #expect(result.error == .invalidArgument)
        }
    }

    @Test("a VF reached again after disabling has its default remote storage back")
    func reEnabled() throws {
        let nvme = try Testbed(.nvme())
        let other = "nvme+tcp://storage.example:4420/nqn.2014-08.com.example:pool9"
        #expect(nvme.write(Self.vf1 + "/remote_url", other).error == nil)
        #expect(nvme.write("/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "0").error == nil)
        #expect(nvme.write("/bus/pci/devices/0000:3b:00.0/sriov_numvfs", "1").error == nil)
        #expect(nvme.read(Self.vf1 + "/remote_url") == .success(Self.url + "\n"))
    }

    @Test("migration off gives ENODEV")
    func noMigration() throws {
        let nvme = try Testbed(.nvme(["migration": .boolean(false)]))
        #expect(nvme.read(Self.vf1 + "/migration_version").error == .noDevice)
        #expect(nvme.write(Self.vf1 + "/migration_version", "nvme-144d-a824-1.0.0-\(Self.url)").error == .noDevice)
    }

    @Test("settings are checked", arguments: [
        ["remote_url": DriverSettings.Value.string("file:///tmp")], ["total_vfs": .integer(0)],
        ["total_vfs": .integer(8), "initial_vfs": .integer(9)], ["driver_version": .string("1.0")],
    ])
    func badSettings(settings: [String: DriverSettings.Value]) {
        #expect(throws: SettingsError.self) { try Testbed(.nvme(settings)) }
    }
}
