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

    @Test func showsTheDefaultHostAsSysInsideRun() throws {
        let outcome = try ClientSession.run(script: "lspci -n -D")
        #expect(outcome.status == 0)
        #expect(outcome.stdout == Self.numeric)
    }
}
