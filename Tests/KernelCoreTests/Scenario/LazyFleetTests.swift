@testable import Scenario
import Support
import SysfsTree
import Testing
@testable import KernelCore
#if canImport(Glibc)
import Glibc
#endif

/// A fleet's hosts are built on first use, each exactly once, alike within an
/// entry, and the first of each entry before the scenario is handed out.
@Suite struct LazyFleetTests {
    private let yaml = """
        hosts:
          - name: node
            count: 12
            devices:
              - {driver: test-pf, first: 0000:3b:00.0, count: 3, stride: 8, vfs: 2}
          - name: lone
            devices:
              - {address: 0000:00:02.0, driver: test-gpu, mdevs: [{type: pool-small}]}
        """

    @Test func onlyTheFirstHostOfEachEntryIsBuiltByTheLoad() throws {
        let scenario = try loadScenario(yaml)
        #expect(scenario.hosts.map(\.name).prefix(3) == ["node00", "node01", "node02"])
        #expect(scenario.hosts.filter { $0.builtHost != nil }.map(\.name) == ["node00", "lone"])
        #expect(scenario.summary == "13 hosts, 109 PCI functions, 1 mdev")
        #expect(names(scenario.root, "").count == 13)
        #expect(scenario.hosts.filter { $0.builtHost != nil }.map(\.name) == ["node00", "lone"])
    }

    @Test func aLookInsideAHostBuildsItAsItsEntrysFirst() throws {
        let scenario = try loadScenario(yaml)
        #expect(text(scenario.root, "node07/bus/pci/devices/0000:3b:02.0/sriov_numvfs") == "2\n")
        #expect(scenario.hosts[7].builtHost != nil)
        #expect(scenario.hosts[8].builtHost == nil)
        #expect(names(scenario.root, "node07/bus/pci/devices") == names(scenario.root, "node00/bus/pci/devices"))
        #expect(names(scenario.root, "node07/bus/pci/devices").count == 9)
        let link = scenario.root.resolve("node07/bus/pci/devices/0000:3b:00.1", followFinalLink: false) as? Symlink
        #expect(link?.relativeTarget == "../../../devices/pci0000:00/0000:3b:00.1")
        #expect(scenario.hosts[7].host.devices.count == 9)
        #expect(scenario.hosts[8].host.name == "node08")
        #expect(scenario.summary == "13 hosts, 109 PCI functions, 1 mdev")
    }

    @Test func hooksRunOnceBeforeTheHostIsSeen() throws {
        let scenario = try loadScenario(yaml)
        let seen = Locked<[String]>([])
        for handle in scenario.hosts {
            handle.whenBuilt { host in
                let functions = host.devices.count
                seen.withLock { $0.append("\(host.name) \(functions)") }
            }
        }
        #expect(seen.withLock { $0 } == ["node00 9", "lone 1"])
        _ = scenario.hosts[5].host
        _ = scenario.hosts[5].host
        _ = scenario.root.resolve("node05/devices")
        #expect(seen.withLock { $0 } == ["node00 9", "lone 1", "node05 9"])
    }

    @Test func threadsLookingAtOnceShareOneBuild() throws {
        let scenario = try loadScenario(yaml)
        let found = Locked<[ObjectIdentifier]>([])
        let threads = (0..<8).map { _ in
            TestThread {
                if let node = scenario.root.resolve("node11/devices/pci0000:00/0000:3b:00.0") {
                    found.withLock { $0.append(ObjectIdentifier(node)) }
                }
            }
        }
        threads.forEach { $0.join() }
        #expect(found.withLock { $0.count } == 8)
        #expect(Set(found.withLock { $0 }).count == 1)
        #expect(names(scenario.root, "node11/devices/pci0000:00").filter { $0.hasPrefix("0000:") }.count == 9)
    }
}

/// A pthread running `body`, for tests that need real concurrency.
private final class TestThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<TestThread>.fromOpaque(argument).takeRetainedValue().body()
            return nil
        }, box)
    }

    func join() { pthread_join(thread, nil) }
}

private func text(_ root: Directory, _ path: String) -> String? {
    guard let attribute = root.resolve(path) as? Attribute, let bytes = try? attribute.read() else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

private func names(_ root: Directory, _ path: String) -> [String] {
    ((path.isEmpty ? root : root.resolve(path) as? Directory)?.list() ?? []).map(\.name).sorted()
}
