import Support
import Testing
@testable import Harness
import FuseServer
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FaultRuleParsingTests {
    @Test func fieldsBuildARule() throws {
        let rule = try FaultRule(fields: ["path": "/sys/bus/mdev/devices/*/available_instances", "op": "read",
                                          "errno": "EAGAIN", "every": "3"])
        #expect(rule.path == "/bus/mdev/devices/*/available_instances")
        #expect(rule.operations == [.read])
        #expect(rule.errno == EAGAIN)
        #expect(rule.trigger == .every(3))
        #expect(rule.description == "read /bus/mdev/devices/*/available_instances EAGAIN every=3")
    }

    @Test func defaultsAreReadAndWriteAlways() throws {
        let rule = try FaultRule(fields: ["path": "*/create", "errno": "16"])
        #expect(rule.operations == [.read, .write])
        #expect(rule.errno == EBUSY)
        #expect(rule.trigger == .always)
        #expect(rule.path == "*/create")
    }

    @Test func vanishAnswersENOENTForEverythingButReaddir() throws {
        let rule = try FaultRule(fields: ["path": "*/0000:3b:00.1", "vanish": "true"])
        #expect(rule.operations == [.lookup, .getattr, .open, .readlink])
        #expect(rule.errno == ENOENT)
        #expect(rule.description == "lookup,getattr,open,readlink */0000:3b:00.1 vanish")
    }

    @Test func delaysInMillisecondsOrSeconds() throws {
        #expect(try FaultRule(fields: ["path": "/x", "delay": "250"]).delayMilliseconds == 250)
        #expect(try FaultRule(fields: ["path": "/x", "delay": "40ms"]).delayMilliseconds == 40)
        #expect(try FaultRule(fields: ["path": "/x", "delay": "1.5s"]).delayMilliseconds == 1500)
    }

    @Test(arguments: [
        (["errno": "EAGAIN"], "path: a glob is required"),
        (["path": "/x"], "give errno, delay or vanish: a rule must do something"),
        (["path": "/x", "errno": "EWHAT"], "errno: 'EWHAT' is not an errno name or number 1...4095"),
        (["path": "/x", "errno": "0"], "errno: '0' is not an errno name or number 1...4095"),
        (["path": "/x", "errno": "EIO", "op": "stat"],
         "op: unknown operation 'stat' (known: lookup, getattr, open, read, write, readdir, readlink)"),
        (["path": "/x", "errno": "EIO", "once": "true", "every": "2"], "once, every: choose one trigger"),
        (["path": "/x", "errno": "EIO", "every": "0"], "every: '0' is not a whole number ≥ 1"),
        (["path": "/x", "errno": "EIO", "probability": "1.5"], "probability: '1.5' is not a number in 0...1"),
        (["path": "/x", "errno": "EIO", "seed": "3"], "seed: only meaningful with probability"),
        (["path": "/x", "delay": "forever"], "delay: 'forever' is not a duration up to 10 minutes (250, 250ms, 1.5s)"),
        (["path": "/x", "vanish": "true", "errno": "EIO"], "errno: vanish always answers ENOENT"),
        (["path": "/x", "errno": "EIO", "colour": "red"],
         "unknown key 'colour' (known: path, op, errno, delay, vanish, once, every, probability, seed, host)"),
    ])
    func badFieldsAreNamed(fields: [String: String], message: String) {
        #expect(throws: FaultRule.ParseError.self) { try FaultRule(fields: fields) }
        do {
            _ = try FaultRule(fields: fields)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func errnoNamesBothWays() {
        #expect(ErrnoNames.value(of: "enodev") == ENODEV)
        #expect(ErrnoNames.value(of: "EWOULDBLOCK") == EAGAIN)
        #expect(ErrnoNames.name(of: EUSERS) == "EUSERS")
        #expect(ErrnoNames.name(of: 4000) == "4000")
    }
}

@Suite struct FaultPlanTests {
    let instances = "/devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/available_instances"

    func rule(_ fields: [String: String]) -> FaultRule {
        (try? FaultRule(fields: fields)) ?? FaultRule(path: "/never", operations: [])
    }

    @Test func emptyPlanDecidesNothing() {
        let plan = FaultPlan()
        #expect(plan.isEmpty)
        #expect(plan.decide(.read, host: nil, path: instances) == nil)
    }

    @Test func starCrossesSlashesAndOperationsMustMatch() {
        let plan = FaultPlan()
        plan.add(rule(["path": "*/available_instances", "op": "read", "errno": "EAGAIN"]))
        #expect(plan.decide(.read, host: nil, path: instances) == .init(delayMilliseconds: 0, errno: EAGAIN))
        #expect(plan.decide(.write, host: nil, path: instances) == nil)
        #expect(plan.decide(.read, host: nil, path: "/devices/pci0000:00/0000:00:02.0/vendor") == nil)
        #expect(plan.entries.first?.matched == 1)
        #expect(plan.entries.first?.fired == 1)
    }

    @Test func onceFiresOnlyTheFirstTime() {
        let plan = FaultPlan()
        plan.add(rule(["path": "*/create", "op": "write", "errno": "EBUSY", "once": "true"]))
        #expect(plan.decide(.write, host: nil, path: "/a/create")?.errno == EBUSY)
        #expect(plan.decide(.write, host: nil, path: "/a/create") == nil)
        #expect(plan.decide(.write, host: nil, path: "/b/create") == nil)
        #expect(plan.entries.first.map { [$0.matched, $0.fired] } == [3, 1])
    }

    @Test func everyThirdTime() {
        let plan = FaultPlan()
        plan.add(rule(["path": "/x", "op": "read", "errno": "EIO", "every": "3"]))
        let results = (0..<7).map { _ in plan.decide(.read, host: nil, path: "/x")?.errno }
        #expect(results == [nil, nil, EIO, nil, nil, EIO, nil])
    }

    @Test func probabilityRepeatsWithTheSameSeed() {
        func run(seed: String) -> [Bool] {
            let plan = FaultPlan()
            plan.add(rule(["path": "/x", "op": "read", "errno": "EIO", "probability": "0.3", "seed": seed]))
            return (0..<200).map { _ in plan.decide(.read, host: nil, path: "/x") != nil }
        }
        let first = run(seed: "7")
        #expect(first == run(seed: "7"))
        #expect(first != run(seed: "8"))
        let fired = first.filter { $0 }.count
        #expect(fired > 30 && fired < 90)
        #expect(run(seed: "7").count == 200)
    }

    @Test func probabilityZeroAndOne() {
        let plan = FaultPlan()
        plan.add(rule(["path": "/never", "op": "read", "errno": "EIO", "probability": "0"]))
        plan.add(rule(["path": "/always", "op": "read", "errno": "EIO", "probability": "1"]))
        #expect((0..<50).allSatisfy { _ in plan.decide(.read, host: nil, path: "/never") == nil })
        #expect((0..<50).allSatisfy { _ in plan.decide(.read, host: nil, path: "/always") != nil })
    }

    @Test func vanishCoversTheDeviceAndEverythingBelow() {
        let plan = FaultPlan()
        plan.add(rule(["path": "*/0000:3b:00.1", "vanish": "true"]))
        let device = "/devices/pci0000:3a/0000:3b:00.1"
        #expect(plan.decide(.lookup, host: nil, path: device)?.errno == ENOENT)
        #expect(plan.decide(.open, host: nil, path: device + "/sriov_numvfs")?.errno == ENOENT)
        #expect(plan.decide(.lookup, host: nil, path: "/bus/pci/devices/0000:3b:00.1")?.errno == ENOENT)
        #expect(plan.decide(.readdir, host: nil, path: "/bus/pci/devices") == nil)
        #expect(plan.decide(.lookup, host: nil, path: "/devices/pci0000:3a/0000:3b:00.0") == nil)
    }

    @Test func hostScopedRules() {
        let plan = FaultPlan()
        plan.add(rule(["path": "/x", "op": "read", "errno": "EIO", "host": "dst"]))
        #expect(plan.decide(.read, host: "src", path: "/x") == nil)
        #expect(plan.decide(.read, host: "dst", path: "/x")?.errno == EIO)
    }

    @Test func delaysAddUpAndFirstErrnoWins() {
        let plan = FaultPlan()
        plan.add(rule(["path": "/x", "op": "write", "delay": "5"]))
        plan.add(rule(["path": "/x", "op": "write", "errno": "EAGAIN", "delay": "7"]))
        plan.add(rule(["path": "/x", "op": "write", "errno": "EIO"]))
        #expect(plan.decide(.write, host: nil, path: "/x") == .init(delayMilliseconds: 12, errno: EAGAIN))
    }

    @Test func delaysOfSeveralRulesAreCappedTogether() {
        let plan = FaultPlan()
        for _ in 0..<3 { plan.add(rule(["path": "/x", "op": "read", "delay": "6s"])) }
        #expect(plan.decide(.read, host: nil, path: "/x")?.delayMilliseconds == 18_000)
        for _ in 0..<100 { plan.add(rule(["path": "/x", "op": "read", "delay": "600s"])) }
        #expect(plan.decide(.read, host: nil, path: "/x")?.delayMilliseconds == FaultRule.maximumDelayMilliseconds)
    }

    @Test func removeClearAndScenarioReplacement() {
        let plan = FaultPlan()
        let control = plan.add(rule(["path": "/a", "errno": "EIO"]))
        plan.replaceScenarioRules([rule(["path": "/b", "errno": "EIO"]), rule(["path": "/c", "errno": "EIO"])])
        #expect(plan.entries.map(\.rule.path) == ["/a", "/b", "/c"])
        plan.replaceScenarioRules([rule(["path": "/d", "errno": "EIO"])])
        #expect(plan.entries.map(\.rule.path) == ["/a", "/d"])
        #expect(plan.entries.map(\.origin) == [.control, .scenario])
        #expect(plan.remove(id: control))
        #expect(!plan.remove(id: control))
        #expect(plan.clear() == 1)
        #expect(plan.isEmpty)
    }
}
