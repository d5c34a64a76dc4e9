import Testing

/// libvirt and hwloc read the CPUs and NUMA nodes of the default host (two
/// sockets of four cores with two threads, a node each) from `/sys/devices/system`.
@Suite(.requiresClients("libvirtd", "virsh", "lstopo-no-graphics")) struct HostTopologyTests {
    @Test func virshSeesTwoNUMACells() throws {
        let outcome = try ClientSession.spawn(
            [try MountedTree.binary(), "run", "--", LibvirtTests.withLibvirtd, "/bin/sh", "-c",
             StepLog.prelude + """
                step nodeinfo virsh nodeinfo
                step cells sh -c 'virsh capabilities | sed -n "/<cells/,/<\\/cells>/p"'
                """], timeoutSeconds: 300)
        #expect(outcome.status == 0, "\(outcome)")
        let log = StepLog(outcome.stdout)
        // CPU model and frequency come from the real /proc/cpuinfo.
        #expect(log["nodeinfo"]?.lines.filter { !$0.hasPrefix("CPU model") && !$0.hasPrefix("CPU frequency") } == [
            "CPU(s):              16",
            "CPU socket(s):       1",
            "Core(s) per socket:  4",
            "Thread(s) per core:  2",
            "NUMA cell(s):        2",
            "Memory size:         67108864 KiB",
        ], "\(outcome)")
        var expected = "      <cells num='2'>\n"
        for node in 0..<2 {
            expected += """
                        <cell id='\(node)'>
                          <memory unit='KiB'>33554432</memory>
                          <pages unit='KiB' size='4'>8388608</pages>
                          <pages unit='KiB' size='2048'>0</pages>
                          <pages unit='KiB' size='1048576'>0</pages>
                          <distances>
                            <sibling id='0' value='\(node == 0 ? 10 : 21)'/>
                            <sibling id='1' value='\(node == 0 ? 21 : 10)'/>
                          </distances>
                          <cpus num='8'>

                """
            for cpu in [0, 1, 2, 3, 8, 9, 10, 11].map({ $0 + 4 * node }) {
                let first = cpu % 8
                expected += "            <cpu id='\(cpu)' socket_id='\(node)' die_id='0' core_id='\(cpu % 4)' "
                    + "siblings='\(first),\(first + 8)'/>\n"
            }
            expected += "          </cpus>\n        </cell>\n"
        }
        expected += "      </cells>\n"
        #expect(log["cells"]?.output == expected, "\(outcome)")
    }

    @Test func lstopoSeesPackagesCachesAndNodes() throws {
        let outcome = try ClientSession.run(script: "lstopo-no-graphics --of console --no-io")
        #expect(outcome.status == 0, "\(outcome)")
        var expected = "Machine (64GB total)\n"
        for package in 0..<2 {
            expected += """
                  Package L#\(package)
                    NUMANode L#\(package) (P#\(package) 32GB)
                    L3 L#\(package) (7680KB)

                """
            for core in 0..<4 {
                let index = package * 4 + core, cpu = package * 4 + core
                expected += """
                          L2 L#\(index) (2048KB) + L1d L#\(index) (48KB) + L1i L#\(index) (32KB) + Core L#\(index)
                            PU L#\(2 * index) (P#\(cpu))
                            PU L#\(2 * index + 1) (P#\(cpu + 8))

                    """
            }
        }
        #expect(outcome.stdout == expected, "\(outcome)")
    }
}
