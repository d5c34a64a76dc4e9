import SystemPackage
import SysfsTree
import Testbed
import Testing
@testable import KernelCore

@Suite struct CPUMaskTests {
    @Test func mapsPrintThirtyTwoBitGroupsOverTheWholeWidth() {
        #expect(CPUMask(width: 40, cpus: 0..<40).mapText == "ff,ffffffff\n")
        #expect(CPUMask(width: 96, cpus: 0..<96).mapText == "ffffffff,ffffffff,ffffffff\n")
        #expect(CPUMask(width: 16, cpus: [0, 1, 2, 3, 8, 9, 10, 11]).mapText == "0f0f\n")
        #expect(CPUMask(width: 64, cpus: [63]).mapText == "80000000,00000000\n")
        #expect(CPUMask(width: 2, cpus: [0]).mapText == "1\n")
        #expect(CPUMask(width: 8).mapText == "00\n")
    }

    @Test func listsPrintRanges() {
        #expect(CPUMask(width: 16, cpus: [0, 1, 2, 3, 8, 9, 10, 11]).listText == "0-3,8-11\n")
        #expect(CPUMask(width: 16, cpus: [1, 9]).listText == "1,9\n")
        #expect(CPUMask(width: 16, cpus: [4, 6, 7, 12]).listText == "4,6-7,12\n")
        #expect(CPUMask(width: 16).listText == "\n")
    }
}

@Suite struct SystemDevicesTests {
    let test = Testbed.pool()

    @Test func theDefaultHostHasTwoSocketsOfFourCoresWithTwoThreads() {
        #expect(test.read("/devices/system/cpu/possible") == .success("0-15\n"))
        #expect(test.read("/devices/system/cpu/present") == .success("0-15\n"))
        #expect(test.read("/devices/system/cpu/online") == .success("0-15\n"))
        #expect(test.read("/devices/system/cpu/offline") == .success("\n"))
        #expect(test.read("/devices/system/cpu/kernel_max") == .success("8191\n"))
        #expect(test.read("/devices/system/node/online") == .success("0-1\n"))
        #expect(test.read("/devices/system/node/has_cpu") == .success("0-1\n"))
        let topology = "/devices/system/cpu/cpu13/topology/"
        #expect(test.read(topology + "physical_package_id") == .success("1\n"))
        #expect(test.read(topology + "core_id") == .success("1\n"))
        #expect(test.read(topology + "die_id") == .success("0\n"))
        #expect(test.read(topology + "cluster_id") == .success("5\n"))
        #expect(test.read(topology + "thread_siblings") == .success("2020\n"))
        #expect(test.read(topology + "thread_siblings_list") == .success("5,13\n"))
        #expect(test.read(topology + "core_cpus_list") == .success("5,13\n"))
        #expect(test.read(topology + "core_siblings") == .success("f0f0\n"))
        #expect(test.read(topology + "package_cpus_list") == .success("4-7,12-15\n"))
        #expect((test.node(topology + "package_cpus_list") as? BinaryAttribute)?.size == 28672)
        #expect((test.node(topology + "package_cpus") as? BinaryAttribute)?.size == 4096)
        #expect(test.link("/devices/system/cpu/cpu13/node1") == "../../node/node1")
        #expect(test.link("/devices/system/cpu/cpu13/subsystem") == "../../../../bus/cpu")
        #expect(test.link("/bus/cpu/devices/cpu13") == "../../../devices/system/cpu/cpu13")
        #expect(test.link("/bus/node/devices/node1") == "../../../devices/system/node/node1")
        #expect(test.link("/devices/system/node/node1/cpu13") == "../../cpu/cpu13")
    }

    @Test func nodesListTheirCPUsMemoryAndDistances() {
        #expect(test.read("/devices/system/node/node0/cpumap") == .success("0f0f\n"))
        #expect(test.read("/devices/system/node/node1/cpulist") == .success("4-7,12-15\n"))
        #expect(test.read("/devices/system/node/node0/distance") == .success("10 21\n"))
        #expect(test.names("/devices/system/node/node1").filter { $0.hasPrefix("cpu") && $0 != "cpumap" && $0 != "cpulist" }
                == ["cpu12", "cpu13", "cpu14", "cpu15", "cpu4", "cpu5", "cpu6", "cpu7"])
        let meminfo = (try? test.read("/devices/system/node/node1/meminfo").get()) ?? ""
        let lines = meminfo.split(separator: "\n")
        #expect(lines.first == "Node 1 MemTotal:       33554432 kB")
        #expect(lines.dropFirst().first == "Node 1 MemFree:        31457280 kB")
        #expect(lines.suffix(3) == ["Node 1 HugePages_Total:     0", "Node 1 HugePages_Free:      0",
                                    "Node 1 HugePages_Surp:      0"])
    }

    @Test func devicesFollowTheNodeOfTheirBus() {
        #expect(test.read("/bus/pci/devices/0000:00:02.0/numa_node") == .success("0\n"))
        #expect(test.read("/bus/pci/devices/0000:3b:00.0/local_cpus") == .success("0f0f\n"))
        #expect(test.read("/bus/pci/devices/0000:3b:00.0/local_cpulist") == .success("0-3,8-11\n"))
        #expect(test.write("/bus/pci/devices/0000:3b:00.0/numa_node", "1") == .success(1))
        #expect(test.read("/bus/pci/devices/0000:3b:00.0/local_cpulist") == .success("4-7,12-15\n"))
        #expect(test.write("/bus/pci/devices/0000:3b:00.0/numa_node", "2") == .failure(.invalidArgument))
        #expect(test.write("/bus/pci/devices/0000:3b:00.0/numa_node", "-1") == .success(2))
        #expect(test.read("/bus/pci/devices/0000:3b:00.0/local_cpus") == .success("ffff\n"))
    }

    @Test func aCPUGoesOfflineAndComesBack() {
        #expect(test.node("/devices/system/cpu/cpu0/online") == nil)
        #expect(test.write("/devices/system/cpu/cpu5/online", "x") == .failure(.invalidArgument))
        #expect(test.write("/devices/system/cpu/cpu5/online", "0\n") == .success(2))
        #expect(test.read("/devices/system/cpu/cpu5/online") == .success("0\n"))
        #expect(test.read("/devices/system/cpu/online") == .success("0-4,6-15\n"))
        #expect(test.read("/devices/system/cpu/offline") == .success("5\n"))
        #expect(test.node("/devices/system/cpu/cpu5/topology") == nil)
        #expect(test.read("/devices/system/node/node1/cpulist") == .success("4,6-7,12-15\n"))
        #expect(test.read("/devices/system/cpu/cpu13/topology/thread_siblings_list") == .success("13\n"))
        #expect(test.write("/bus/pci/devices/0000:3b:00.0/numa_node", "1") == .success(1))
        #expect(test.read("/bus/pci/devices/0000:3b:00.0/local_cpulist") == .success("4,6-7,12-15\n"))
        #expect(test.write("/devices/system/cpu/cpu5/online", "0") == .success(1))
        #expect(test.write("/devices/system/cpu/cpu5/online", "on") == .success(2))
        #expect(test.read("/devices/system/cpu/online") == .success("0-15\n"))
        #expect(test.read("/devices/system/cpu/cpu5/topology/core_cpus_list") == .success("5,13\n"))
        #expect(test.uevents.all.filter { $0.subsystem == "cpu" }.map { "\($0.action) \($0.devpath)" }
                == ["offline /devices/system/cpu/cpu5", "online /devices/system/cpu/cpu5"])
    }

    @Test func theLastOnlineCPUStays() {
        let one = Testbed(host: Host(name: "one", topology: .singleNode(cpus: 2)))
        #expect(one.write("/devices/system/cpu/cpu1/online", "0") == .success(1))
        #expect(one.node("/devices/system/cpu/cpu0/online") == nil)
        #expect(Result { () throws(Errno) in try one.host.system.setOnline(0, false) } == .failure(.resourceBusy))
    }

    @Test func hugePagesComeOutOfTheNodesFreeMemory() {
        let pages = "/devices/system/node/node1/hugepages/hugepages-2048kB/"
        #expect(test.write(pages + "nr_hugepages", "0x10") == .failure(.invalidArgument))
        #expect(test.write(pages + "nr_hugepages", "512\n") == .success(4))
        #expect(test.read(pages + "nr_hugepages") == .success("512\n"))
        #expect(test.read(pages + "free_hugepages") == .success("512\n"))
        #expect(test.read(pages + "surplus_hugepages") == .success("0\n"))
        let meminfo = (try? test.read("/devices/system/node/node1/meminfo").get()) ?? ""
        #expect(meminfo.contains("Node 1 MemFree:        30408704 kB\n"))
        #expect(meminfo.hasSuffix("Node 1 HugePages_Total:   512\nNode 1 HugePages_Free:    512\nNode 1 HugePages_Surp:      0\n"))
        // 32 GiB less the sixteenth the kernel keeps: room for 30 one-GiB pages, whatever is asked.
        let giant = "/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages"
        #expect(test.write(giant, "1000") == .success(4))
        #expect(test.read(giant) == .success("30\n"))
        #expect(test.read("/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages") == .success("0\n"))
    }

    @Test func theBusesListTheirDevices() {
        #expect(test.names("/bus/cpu") == ["devices", "drivers", "drivers_autoprobe", "drivers_probe", "uevent"])
        #expect(test.names("/bus/node/devices") == ["node0", "node1"])
        #expect(test.link("/bus/cpu/drivers/processor/cpu3") == "../../../../devices/system/cpu/cpu3")
        #expect(test.write("/bus/cpu/drivers_probe", "cpu99") == .failure(.noDevice))
        #expect(test.write("/bus/cpu/drivers_probe", "cpu3\n") == .success(5))
        #expect(test.write("/bus/node/drivers_autoprobe", "0") == .success(1))
        #expect(test.read("/bus/node/drivers_autoprobe") == .success("0\n"))
    }
}
