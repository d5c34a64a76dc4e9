import Scenario
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs mount --scenario` and `fakesysfs scenario check` as a user runs them.
@Suite(.requiresFUSE) struct ScenarioMountTests {
    static let twoHosts = """
        hosts:
          - name: source
            devices:
              - {address: 0000:3b:00.0, driver: nvme-vf, vfs: 1}
          - name: target
            devices:
              - {address: 0000:3b:00.0, driver: nvme-vf, settings: {driver_version: 1.1.0}}
        """

    @Test func eachHostIsASysOfItsOwn() throws {
        let file = try ScenarioFile(Self.twoHosts)
        defer { file.remove() }
        let tree = try MountedTree.mount(scenario: file.path)
        defer { tree.unmount() }
        #expect(POSIX.directoryEntries(tree.root).map { $0.keys.sorted() } == .success([".", "..", "source", "target"]))
        let vf = tree.path("/source/bus/pci/devices/0000:3b:00.1")
        #expect(POSIX.readlink(vf) == .success("../../../devices/pci0000:00/0000:3b:00.1"))
        #expect(POSIX.readFile(vf + "/physfn/sriov_numvfs") == .success("1\n"))
        #expect(POSIX.readFile(tree.path("/target/bus/pci/devices/0000:3b:00.0/sriov_numvfs")) == .success("0\n"))
        #expect(POSIX.readlink(tree.path("/target/bus/pci/devices/0000:3b:00.0/iommu_group"))
                == .success("../../../kernel/iommu_groups/0"))
    }

    @Test func aBadScenarioIsRefusedWithItsLineAndNothingIsMounted() throws {
        let file = try ScenarioFile("hosts:\n  - name: a\n    devices:\n      - {address: 0000:3b:00.9, driver: nvme-vf}\n")
        defer { file.remove() }
        var template = Array("/tmp/fakesysfs-test.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
        let directory = String(cBuffer: template)
        defer { rmdir(directory) }
        let reason = "\(file.path):4: bad PCI address '0000:3b:00.9' (expected DDDD:BB:DD.F, e.g. 0000:3b:00.0)"
        let result = try Command.run([try MountedTree.binary(), "mount", "--scenario", file.path, directory])
        #expect(result == CommandResult(status: 2, output: "Error: \(reason)\n"))
        #expect(!MountTable.contains(directory))
        #expect(try Command.run([try MountedTree.binary(), "scenario", "check", file.path])
                == CommandResult(status: 1, output: reason + "\n"))
    }

    @Test func checkSaysWhatAGoodScenarioHolds() throws {
        let file = try ScenarioFile(Self.twoHosts)
        defer { file.remove() }
        #expect(try Command.run([try MountedTree.binary(), "scenario", "check", file.path])
                == CommandResult(status: 0, output: "\(file.path): ok: 2 hosts, 3 PCI functions, 0 mdevs\n"))
    }
}

/// A scenario written to a temporary file.
struct ScenarioFile {
    let path: String

    init(_ yaml: String) throws {
        var template = Array("/tmp/fakesysfs-scenario.XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw TestFailure("mkstemp: \(lastError())") }
        path = String(cBuffer: template)
        let bytes = Array(yaml.utf8)
        let written = write(fd, bytes, bytes.count)
        close(fd)
        guard written == bytes.count else { throw TestFailure("write \(path): \(lastError())") }
    }

    func remove() { unlink(path) }
}
