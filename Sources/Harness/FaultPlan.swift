import FuseServer
import Synchronization
import Support
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// The faults in force on a mount, consulted by every FUSE callback. With no
/// rules, a check costs one atomic load.
public final class FaultPlan: Sendable {
    /// Where a rule came from: the scenario file (replaced on reload) or a control command.
    public enum Origin: String, Sendable {
        case scenario, control
    }

    public struct Entry: Sendable, Equatable {
        public let id: Int
        public let rule: FaultRule
        public let origin: Origin
        /// Operations that matched the rule's path, host and operations.
        public let matched: Int
        /// Of those, how many the rule acted on.
        public let fired: Int
    }

    /// What a callback must do: wait, then fail with `errno` (or carry on when nil).
    public struct Decision: Sendable, Equatable {
        public var delayMilliseconds: Int
        public var errno: Int32?
    }

    private struct LiveRule {
        let id: Int
        let rule: FaultRule
        let origin: Origin
        var matched = 0
        var fired = 0
        var random: SplitMix64

        var entry: Entry { Entry(id: id, rule: rule, origin: origin, matched: matched, fired: fired) }
    }

    private struct State {
        var rules: [LiveRule] = []
        var nextID = 1
    }

    private let ruleCount = Atomic<Int>(0)
    private let additions = Atomic<UInt64>(0)
    private let state = Locked(State())
    /// Ends the delays under way when rules go away.
    public let wakeups = PauseWakeups()

    public init() {}

    /// True when no rule is in force: the callbacks' fast path.
    public var isEmpty: Bool { ruleCount.load(ordering: .acquiring) == 0 }

    /// How many rules were ever added: a change tells the server to drop what the kernel cached.
    public var additionCount: UInt64 { additions.load(ordering: .acquiring) }

    public var entries: [Entry] { state.withLock { $0.rules.map(\.entry) } }

    /// Adds a rule and returns its id (ids are never reused while the mount lives).
    @discardableResult
    public func add(_ rule: FaultRule, origin: Origin = .control) -> Int {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let seed: UInt64 = if case .probability(_, let seed) = rule.trigger { seed } else { 0 }
            state.rules.append(LiveRule(id: id, rule: rule, origin: origin, random: SplitMix64(seed: seed)))
            ruleCount.store(state.rules.count, ordering: .releasing)
            additions.wrappingAdd(1, ordering: .releasing)
            return id
        }
    }

    /// Removes one rule; false when there is none with that id.
    @discardableResult
    public func remove(id: Int) -> Bool {
        let removed = state.withLock { state in
            let before = state.rules.count
            state.rules.removeAll { $0.id == id }
            ruleCount.store(state.rules.count, ordering: .releasing)
            return state.rules.count != before
        }
        if removed { wakeups.wakeAll() }
        return removed
    }

    /// Removes every rule, or those of one origin; returns how many went.
    @discardableResult
    public func clear(origin: Origin? = nil) -> Int {
        let count = state.withLock { state in
            let before = state.rules.count
            state.rules.removeAll { origin == nil || $0.origin == origin }
            ruleCount.store(state.rules.count, ordering: .releasing)
            return before - state.rules.count
        }
        // A delayed operation goes on at once: the rule that held it may be gone.
        if count > 0 { wakeups.wakeAll() }
        return count
    }

    /// Replaces the scenario's rules (as on reload), keeping those added by control commands.
    public func replaceScenarioRules(_ rules: [FaultRule]) {
        clear(origin: .scenario)
        for rule in rules { add(rule, origin: .scenario) }
    }

    /// Counts the operation against every matching rule and says what to do, or nil to carry on.
    public func decide(_ operation: FuseOperation, host: String?, path: String) -> Decision? {
        if isEmpty { return nil }
        return state.withLock { state in
            var decision: Decision?
            for index in state.rules.indices {
                let rule = state.rules[index].rule
                guard rule.operations.contains(operation), rule.host == nil || rule.host == host,
                      rule.matches(path: path) else { continue }
                state.rules[index].matched += 1
                let fires: Bool
                switch rule.trigger {
                case .always: fires = true
                case .once: fires = state.rules[index].fired == 0
                case .every(let n): fires = state.rules[index].matched % max(n, 1) == 0
                case .probability(let p, _): fires = state.rules[index].random.nextUnit() < p
                }
                guard fires else { continue }
                state.rules[index].fired += 1
                var current = decision ?? Decision(delayMilliseconds: 0, errno: nil)
                current.delayMilliseconds = min(current.delayMilliseconds + rule.delayMilliseconds,
                                                FaultRule.maximumDelayMilliseconds)
                if current.errno == nil { current.errno = rule.errno }
                decision = current
            }
            return decision
        }
    }
}

/// A small seeded generator (SplitMix64) so that `probability` faults repeat run to run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
