import FuseServer
import KernelCore
import SysfsTree
import Testbed
import Testing
@testable import Harness

@Suite struct LiveSystemDeviceTests {
    let gpuDirectory = "/devices/pci0000:00/0000:00:02.0"
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    @Test func plugPrintsWhatAppearedAndTheUEvent() {
        let test = TestSystem()
        let reply = test.ctl("plug", "0000:5e:00.0", "versioned", "version=2.1")
        #expect(reply.status == 0)
        let lines = reply.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "plugged 0000:5e:00.0 (versioned) into test")
        #expect(lines.contains("+ /bus/pci/devices/0000:5e:00.0 -> ../../../devices/pci0000:00/0000:5e:00.0"))
        #expect(lines.contains("+ /devices/pci0000:00/0000:5e:00.0/"))
        #expect(lines.contains("+ /class/mdev_bus/0000:5e:00.0 -> ../../devices/pci0000:00/0000:5e:00.0"))
        #expect(lines.contains("uevent add /devices/pci0000:00/0000:5e:00.0 (pci)"))
        #expect(!lines.contains { $0.hasPrefix("+ /devices/pci0000:00/0000:5e:00.0/vendor") })
        #expect(test.bed.read("/devices/pci0000:00/0000:5e:00.0/version") == .success("2.1\n"))
    }

    @Test func plugRefusesUnknownDriversTakenAddressesAndBadSettings() {
        let test = TestSystem()
        #expect(test.ctl("plug", "0000:5e:00.0", "nope").error == "unknown driver 'nope' (drivers: frozen, versioned)")
        #expect(test.ctl("plug", "0000:00:02.0", "versioned").error == "0000:00:02.0 is already present on host test")
        #expect(test.ctl("plug", "0000:5e:00.0", "versioned", "colour=red").error
                == "versioned at 0000:5e:00.0: setting colour: unknown setting (known: version, capacity, device)")
        #expect(test.ctl("plug", "5e:00", "versioned").error
                == "'5e:00' is not a PCI address (DDDD:BB:DD.F, e.g. 0000:3b:00.0)")
        #expect(test.host.devices.count == 1)
    }

    @Test func unplugGoesThroughRemoveAndTakesVFsAndMdevs() {
        let test = TestSystem()
        #expect(test.ctl("set-vfs", "0000:00:02.0", "2").status == 0)
        #expect(test.ctl("create-mdev", "0000:00:02.0", "unit", uuid).status == 0)
        #expect(test.ctl("unplug", "0000:00:02.1").error
                == "0000:00:02.1 is a VF of 0000:00:02.0: change the PF's VF count instead (set-vfs)")
        let reply = test.ctl("unplug", "0000:00:02.0")
        #expect(reply.status == 0)
        let lines = reply.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("- /devices/pci0000:00/0000:00:02.0/"))
        #expect(lines.contains("- /bus/mdev/devices/\(uuid) -> ../../../devices/pci0000:00/0000:00:02.0/\(uuid)"))
        #expect(lines.contains("uevent remove /devices/pci0000:00/0000:00:02.0/\(uuid) (mdev)"))
        #expect(lines.contains("uevent remove /devices/pci0000:00/0000:00:02.1 (pci)"))
        #expect(lines.last == "uevent remove /devices/pci0000:00/0000:00:02.0 (pci)")
        #expect(test.host.devices.isEmpty)
        #expect(test.ctl("unplug", "0000:00:02.0").error == "no PCI function 0000:00:02.0 on host test")
    }

    @Test func updateChangesTheVersionInPlace() {
        let test = TestSystem()
        let reply = test.ctl("update", "0000:00:02.0", "version=2.0")
        #expect(reply.status == 0)
        #expect(reply.output == "updated 0000:00:02.0 (versioned): version=2.0\n"
                + "~ \(gpuDirectory)/version: 1.0 -> 2.0\n")
        #expect(test.ctl("update", "0000:00:02.0", "version=").output
                == "updated 0000:00:02.0 (versioned): (driver defaults)\n~ \(gpuDirectory)/version: 2.0 -> 1.0\n")
    }

    @Test func updateThatChangesMdevTypesRebindsTheDevice() {
        let test = TestSystem()
        let reply = test.ctl("update", "0000:00:02.0", "capacity=0")
        #expect(reply.status == 0)
        let lines = reply.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("- \(gpuDirectory)/mdev_supported_types/"))
        #expect(lines.contains("- /class/mdev_bus/0000:00:02.0 -> ../../devices/pci0000:00/0000:00:02.0"))
        #expect(lines.suffix(2) == ["uevent unbind \(gpuDirectory) (pci)", "uevent bind \(gpuDirectory) (pci)"])
    }

    @Test func updateRefusalsKeepTheOldSettings() {
        let test = TestSystem()
        test.ctl("create-mdev", "0000:00:02.0", "unit", uuid)
        #expect(test.ctl("update", "0000:00:02.0", "capacity=0").error
                == "0000:00:02.0: cannot update: capacity: 1 units are in use")
        #expect(test.ctl("update", "0000:00:02.0", "speed=9").error
                == "0000:00:02.0: cannot update: speed: unknown setting (known: version, capacity, device)")
        #expect(test.ctl("update", "0000:00:02.0", "device=18016").error
                == "0000:00:02.0: cannot update: the PCI identity would change; unplug and plug it instead")
        #expect(test.ctl("update", "0000:00:02.0").error == "give the settings to change, KEY=VALUE")
        #expect(test.bed.read(gpuDirectory + "/mdev_supported_types/versioned-unit/available_instances") == .success("3\n"))
        #expect(test.ctl("plug", "0000:3b:00.0", "frozen").status == 0)
        #expect(test.ctl("update", "0000:3b:00.0", "version=2").error
                == "0000:3b:00.0: cannot update: settings: this driver cannot change its settings while the device exists")
    }
}

@Suite struct LiveSystemStoreTests {
    let types = "/devices/pci0000:00/0000:00:02.0/mdev_supported_types/versioned-unit"
    let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    @Test func createMdevPrintsUUIDPathsAndCapacity() {
        let test = TestSystem()
        let reply = test.ctl("create-mdev", "0000:00:02.0", "unit", uuid)
        #expect(reply.status == 0)
        let lines = reply.output.split(separator: "\n").map(String.init)
        #expect(lines.first == uuid)
        #expect(lines.contains("+ /devices/pci0000:00/0000:00:02.0/\(uuid)/"))
        #expect(lines.contains("~ \(types)/available_instances: 4 -> 3"))
        #expect(lines.suffix(2) == ["uevent add /devices/pci0000:00/0000:00:02.0/\(uuid) (mdev)",
                                    "uevent bind /devices/pci0000:00/0000:00:02.0/\(uuid) (mdev)"])
    }

    @Test func createMdevWithoutUUIDMakesOne() throws {
        let test = TestSystem()
        let reply = test.ctl("create-mdev", "0000:00:02.0", "versioned-unit")
        let made = try #require(reply.output.split(separator: "\n").first.map(String.init))
        #expect(MdevUUID(made) != nil)
        #expect(test.host.mdevs.map(\.uuid.description) == [made])
    }

    @Test func createMdevErrorsAreTheStoresWithTheKernelsReason() {
        let test = TestSystem()
        test.ctl("create-mdev", "0000:00:02.0", "unit", uuid)
        let duplicate = test.ctl("create-mdev", "0000:00:02.0", "unit", uuid)
        #expect(duplicate.status == 1)
        #expect(duplicate.error == "write \(types)/create: EEXIST (File exists)\n  kernel: mdev \(uuid) already exists")
        #expect(test.ctl("create-mdev", "0000:00:02.0", "unit", "not-a-uuid").error
                == "write \(types)/create: EINVAL (Invalid argument)")
        #expect(test.ctl("create-mdev", "0000:00:02.0", "big").error
                == "0000:00:02.0 has no mdev type 'big' (types: versioned-unit)")
        for index in 2...4 { test.ctl("create-mdev", "0000:00:02.0", "unit", "83b8f4f2-509f-382f-3c1e-e6bfe0fa100\(index)") }
        #expect(test.ctl("create-mdev", "0000:00:02.0", "unit").error.hasPrefix(
            "write \(types)/create: ENOSPC (No space left on device)\n  kernel: 0000:00:02.0: all 4 units in use") == true)
    }

    @Test func removeMdev() {
        let test = TestSystem()
        test.ctl("create-mdev", "0000:00:02.0", "unit", uuid)
        let reply = test.ctl("remove-mdev", uuid)
        #expect(reply.status == 0)
        #expect(reply.output.contains("~ \(types)/available_instances: 3 -> 4\n"))
        #expect(reply.output.hasSuffix("uevent remove /devices/pci0000:00/0000:00:02.0/\(uuid) (mdev)\n"))
        #expect(test.ctl("remove-mdev", uuid).error == "no mdev \(uuid) on host test")
    }

    @Test func setVFsGoesThroughZeroBetweenCounts() {
        let test = TestSystem()
        #expect(test.ctl("set-vfs", "0000:00:02.0", "2").status == 0)
        let reply = test.ctl("set-vfs", "0000:00:02.0", "3")
        #expect(reply.status == 0)
        #expect(reply.output.contains("~ /devices/pci0000:00/0000:00:02.0/sriov_numvfs: 2 -> 3\n"))
        #expect(reply.output.contains("+ /devices/pci0000:00/0000:00:02.3/\n"))
        #expect(test.host.devices.count == 4)
        #expect(test.ctl("set-vfs", "0000:00:02.0", "9").error
                == "write /devices/pci0000:00/0000:00:02.0/sriov_numvfs: ERANGE (Numerical result out of range)")
        #expect(test.ctl("set-vfs", "0000:00:02.0", "0").status == 0)
        #expect(test.host.devices.count == 1)
    }

    @Test func writeIsOneWriteToTheFile() {
        let test = TestSystem()
        #expect(test.ctl("write", "/sys/bus/pci/devices/0000:00:02.0/sriov_numvfs", "1\n").status == 0)
        #expect(test.host.devices.count == 2)
        #expect(test.ctl("write", "/bus/pci/devices/0000:00:02.0/vendor", "1").error
                == "write /bus/pci/devices/0000:00:02.0/vendor: EACCES (read-only attribute)")
        #expect(test.ctl("write", "/bus/pci/devices/0000:00:09.0/enable", "1").error
                == "write /bus/pci/devices/0000:00:09.0/enable: ENOENT (no such attribute)")
    }
}

@Suite struct LiveSystemCommandTests {
    @Test func helpAndUsageErrors() {
        let test = TestSystem()
        let help = test.ctl("--help")
        #expect(help.status == 0)
        #expect(help.output.contains("create-mdev"))
        #expect(help.output.contains("USAGE: fakesysfs ctl MOUNTPOINT <subcommand>"))
        let unknown = test.ctl("explode")
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("Unexpected argument 'explode'"))
        #expect(test.ctl("set-vfs", "0000:00:02.0").error.contains("Missing expected argument '<count>'"))
        #expect(test.ctl("help", "fault", "add").output.contains("USAGE: fakesysfs ctl MOUNTPOINT fault add <fields> ..."))
        #expect(test.ctl("create-mdev", "--help").output.contains("The UUID (a random one without it)."))
        let bare = test.ctl()
        #expect(bare.status == 1)
        #expect(bare.error.hasPrefix("give a command:\nOVERVIEW: Change a mounted fake /sys"))
        #expect(test.ctl("fault").error.hasPrefix("give a command:\nOVERVIEW: Inject, list and clear faults."))
    }

    @Test func faultsAreAddedListedAndCleared() {
        let test = TestSystem()
        #expect(test.ctl("fault", "add", "path=*/available_instances", "op=read", "errno=EAGAIN", "once=true").output
                == "fault 1: read */available_instances EAGAIN once\n")
        #expect(test.faults.decide(.read, host: nil, path: "/x/available_instances")?.errno == 11)
        #expect(test.ctl("fault", "list").output == "1\tcontrol\tmatched 1\tfired 1\tread */available_instances EAGAIN once\n")
        #expect(test.ctl("fault", "add", "path=/x").error == "fault: give errno, delay or vanish: a rule must do something")
        #expect(test.ctl("fault", "add", "path=/x", "errno=EIO", "host=elsewhere").error
                == "fault: no host 'elsewhere' (hosts: test)")
        #expect(test.ctl("fault", "clear", "7").error == "no fault 7")
        #expect(test.ctl("fault", "clear").output == "cleared 1 fault\n")
        #expect(test.faults.isEmpty)
    }

    @Test func hostScopedFaultsOnlyInMultiHostTrees() {
        let single = TestSystem()
        single.ctl("fault", "add", "path=/x", "errno=EIO", "host=test")
        #expect(single.faults.entries.first?.rule.host == nil)
        let pair = TestSystem(hostNames: ["src", "dst"])
        pair.ctl("fault", "add", "path=/x", "errno=EIO", "host=dst")
        #expect(pair.faults.entries.first?.rule.host == "dst")
    }

    @Test func severalHostsNeedAHostUnlessTheDeviceSaysWhich() {
        let test = TestSystem(hostNames: ["src", "dst"])
        #expect(test.ctl("plug", "0000:5e:00.0", "versioned").error == "several hosts: say which with --host (src, dst)")
        let reply = test.ctl("plug", "--host", "dst", "0000:5e:00.0", "versioned")
        #expect(reply.output.hasPrefix("plugged 0000:5e:00.0 (versioned) into dst\n[dst] + "))
        #expect(test.ctl("unplug", "0000:5e:00.0").status == 0)
        #expect(test.ctl("unplug", "0000:00:02.0").error == "several hosts: say which with --host (src, dst)")
        #expect(test.ctl("unplug", "--host", "nowhere", "0000:00:02.0").error == "no host 'nowhere' (hosts: src, dst)")
    }

    @Test func statusListsDevicesMdevsAndFaults() {
        let test = TestSystem()
        test.ctl("create-mdev", "0000:00:02.0", "unit", "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001")
        #expect(test.ctl("status").output == """
            host test: 1 PCI functions, 1 mdevs
              0000:00:02.0 versioned [versioned] (driver defaults)
              mdev 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 versioned-unit on 0000:00:02.0
            0 faults in force

            """)
    }
}

@Suite struct TreeChangeRenderingTests {
    @Test func longValuesAreCutAroundTheDifference() {
        let before = #"{"device_api": "vfio-pci", "vendor": "nvme", "version": {"major": 1, "minor": 0, "bugfix": 0}, "vfio-pci": {"vendor": "144d", "device": "a824"}}"# + "\n"
        let after = before.replacingOccurrences(of: #""major": 1, "minor": 0"#, with: #""major": 0, "minor": 9"#)
        let (old, new) = TreeSnapshot.rendered(.text(before), .text(after))
        #expect(old == #"... "nvme", "version": {"major": 1, "minor": 0, "bugfix": 0}, "vfio-pci": {"..."#)
        #expect(new == #"... "nvme", "version": {"major": 0, "minor": 9, "bugfix": 0}, "vfio-pci": {"..."#)
        #expect(TreeSnapshot.rendered(.text("4\n"), .text("3\n")) == ("4", "3"))
    }
}
