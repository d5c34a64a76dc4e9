import Testing
import FuseServer
@testable import Harness
import Support
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// What the harness does with each FUSE request, without a mount.
@Suite struct HarnessHooksTests {
    final class Lines: Sendable {
        let lines = Locked<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func failedReadsAreLoggedWithTheKernelsRateLimit() {
        let root = Directory()
        let node = root.attribute("rp2srv", mode: 0o644) { "x\n" }
        let log = Lines()
        let hooks = HarnessHooks(log: { log.append($0) })
        for _ in 0..<1_000 {
            hooks.after(FuseRequest(.read, .node(node)), RequestOutcome(errno: EINVAL))
        }
        #expect(log.all.count == 10)
        #expect(log.all.first == "read /rp2srv: Invalid argument")
    }

    @Test func aFaultFailsTheRequestAndForbidsCaching() throws {
        let root = Directory()
        let node = root.attribute("vendor", mode: 0o444) { "x\n" }
        let hooks = HarnessHooks(log: { _ in })
        #expect(hooks.cachingAllowed)
        #expect(hooks.before(FuseRequest(.read, .node(node))) == nil)
        hooks.faults.add(try FaultRule(fields: ["path": "/vendor", "errno": "EAGAIN"]))
        #expect(!hooks.cachingAllowed)
        #expect(hooks.before(FuseRequest(.read, .node(node))) == EAGAIN)
        #expect(hooks.before(FuseRequest(.lookup, .name("vendor", in: root))) == nil)
    }
}
