import Testing
#if canImport(Glibc)
import Glibc
#endif

/// lspci reads the tree through `-O sysfs.path`, so it needs no namespace: a
/// plain mount anywhere works, which also proves every link is relative.
@Suite(.requiresClients("lspci")) struct LspciTests {
    static let numeric = """
        0000:00:02.0 0300: 8086:591d (rev 04)
        0000:3b:00.0 0108: 144d:a824
        0000:f3:00.0 0b40: 8086:4940 (rev 40)

        """

    @Test func showsTheDefaultHostThroughAPlainMount() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }

        let sysfs = "sysfs.path=" + tree.path("/bus/pci")
        let numeric = try ClientSession.spawn(["lspci", "-A", "linux-sysfs", "-O", sysfs, "-n", "-D"])
        #expect(numeric.status == 0)
        #expect(numeric.stdout == Self.numeric)

        // Names come from the installed pci.ids; the bracketed identities are exact.
        let named = try ClientSession.spawn(["lspci", "-A", "linux-sysfs", "-O", sysfs, "-nn", "-D"])
        #expect(named.status == 0)
        let lines = named.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(named)")
        #expect(lines[0].hasPrefix("0000:00:02.0 ") && lines[0].contains(" [0300]: ") && lines[0].hasSuffix(" [8086:591d] (rev 04)"))
        #expect(lines[1].hasPrefix("0000:3b:00.0 ") && lines[1].contains(" [0108]: ") && lines[1].hasSuffix(" [144d:a824]"))
        #expect(lines[2].hasPrefix("0000:f3:00.0 ") && lines[2].contains(" [0b40]: ") && lines[2].hasSuffix(" [8086:4940] (rev 40)"))
    }

    /// Link Capabilities and Status say what `max_link_*` and `current_link_*` say; the
    /// integrated GPU and QAT have no link, and a VF's Link Status is reserved.
    @Test func linkRegistersAgreeWithTheTextFiles() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        #expect(POSIX.writeFile(tree.path("/bus/pci/devices/0000:3b:00.0/sriov_numvfs"), "1") == .success(1))
        let sysfs = "sysfs.path=" + tree.path("/bus/pci")
        func lines(_ address: String, _ prefixes: [String]) throws -> [String] {
            let outcome = try ClientSession.spawn(["lspci", "-A", "linux-sysfs", "-O", sysfs, "-vv", "-s", address])
            return outcome.stdout.split(separator: "\n").map { String($0.drop(while: { $0 == "\t" || $0 == " " })) }
                .filter { line in prefixes.contains { line.hasPrefix($0) } }
        }
        let link = ["LnkCap:", "LnkSta:", "Capabilities: [40]", "DevCap:"]
        #expect(try lines("3b:00.0", link) == [
            "Capabilities: [40] Express (v2) Endpoint, MSI 00",
            "DevCap:\tMaxPayload 128 bytes, PhantFunc 0, Latency L0s <64ns, L1 <1us",
            "LnkCap:\tPort #0, Speed 16GT/s, Width x4, ASPM not supported",
            "LnkSta:\tSpeed 16GT/s, Width x4",
        ])
        #expect(try lines("3b:00.1", ["LnkCap:", "LnkSta:"]) == [
            "LnkCap:\tPort #0, Speed 16GT/s, Width x4, ASPM not supported",
            "LnkSta:\tSpeed unknown (downgraded), Width x0 (downgraded)",
        ])
        #expect(try lines("f3:00.0", ["LnkCap:", "LnkSta:", "Capabilities: [40]"]) == ["Capabilities: [40] Express (v2) Root Complex Integrated Endpoint, MSI 00"])
        let device = "/bus/pci/devices/"
        #expect(POSIX.readFile(tree.path(device + "0000:3b:00.0/current_link_speed")) == .success("16.0 GT/s PCIe\n"))
        #expect(POSIX.readFile(tree.path(device + "0000:3b:00.0/current_link_width")) == .success("4\n"))
        #expect(POSIX.readFile(tree.path(device + "0000:3b:00.1/current_link_speed")) == .success("Unknown\n"))
        #expect(POSIX.readFile(tree.path(device + "0000:3b:00.1/max_link_width")) == .success("4\n"))
        #expect(POSIX.readFile(tree.path(device + "0000:f3:00.0/max_link_speed")) == .success("Unknown\n"))
        #expect(POSIX.readFile(tree.path(device + "0000:00:02.0/current_link_width")) == .success("0\n"))
    }

    @Test func showsTheDefaultHostAsSysInsideRun() throws {
        let outcome = try ClientSession.run(script: "lspci -n -D")
        #expect(outcome.status == 0)
        #expect(outcome.stdout == Self.numeric)
    }
}
