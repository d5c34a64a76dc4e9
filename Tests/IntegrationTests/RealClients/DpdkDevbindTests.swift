import Testing

/// DPDK's `dpdk-devbind.py` (Debian `dpdk`) lists the devices by what it finds
/// in `/sys/module` and each device's driver.
@Suite(.requiresClients("dpdk-devbind.py")) struct DpdkDevbindTests {
    @Test func statusListsTheQATWithItsDriverAndVFIO() throws {
        let outcome = try ClientSession.run(script: "dpdk-devbind.py --status-dev crypto")
        #expect(outcome.status == 0, "\(outcome)")
        // The device's name comes from the installed pci.ids.
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3 && lines[0] == "Crypto devices using kernel driver"
                && lines[2].hasPrefix("0000:f3:00.0 '") && lines[2].hasSuffix(" 4940' drv=4xxx unused=vfio-pci "),
                "\(outcome)")
    }
}
