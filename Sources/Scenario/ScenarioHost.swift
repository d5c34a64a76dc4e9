import KernelCore
import Support
import SysfsTree

/// One host of a scenario, built when first needed.
///
/// In a fleet, a host's `/sys` directory stands in the tree from the start,
/// but its devices are built on the first look inside it (a lookup, a listing,
/// a stat of the directory) or the first use of `host`: a fleet of a million
/// functions mounts in the time of its first hosts and costs memory where it
/// is used. Hosts declared alike (one `count:` entry) are built alike, and the
/// scenario builds the first of each entry at once, so a lazy build cannot
/// meet an error the load did not.
public final class ScenarioHost: Sendable {
    public let name: String
    /// The host's `/sys`: the tree's root for a single host, `root/<name>` in a fleet.
    public let root: Directory
    private let state: Locked<State>
    /// Holds what the directory's preparation needs to find this host; nil for a host built already.
    private let reference: LazyHostReference?

    private struct State {
        var host: Host?
        var whenBuilt: [@Sendable (Host) -> Void] = []
        /// PCI functions and mdevs the host will have once built (those of its entry's first host).
        var expected: (functions: Int, mdevs: Int)
    }

    /// A host built already.
    public convenience init(built host: Host) {
        self.init(name: host.name, root: host.root, built: host)
    }

    init(name: String, root: Directory, built: Host?, expected: (functions: Int, mdevs: Int) = (0, 0),
         reference: LazyHostReference? = nil) {
        self.name = name
        self.root = root
        self.reference = reference
        state = Locked(State(host: built, expected: expected))
    }

    /// The host, built now if it was not.
    public var host: Host {
        root.prepare()
        guard let host = state.withLock({ $0.host }) else {
            preconditionFailure("the directory of host \(name) was prepared without building the host")
        }
        return host
    }

    /// The host if it has been built.
    public var builtHost: Host? { state.withLock { $0.host } }

    /// Runs `action` on the host once it is built: now if it is, otherwise right after
    /// it is built, before anything else sees it.
    public func whenBuilt(_ action: @escaping @Sendable (Host) -> Void) {
        let built: Host? = state.withLock { state in
            if state.host == nil { state.whenBuilt.append(action) }
            return state.host
        }
        if let built { action(built) }
    }

    /// How many PCI functions and mdevs it has, or will have once built.
    var counts: (functions: Int, mdevs: Int) {
        if let host = builtHost { return (host.devices.count, host.mdevs.count) }
        return state.withLock { $0.expected }
    }

    /// Called by the directory's preparation, once: makes the host and fills it.
    func build(_ make: (Directory) -> Host) {
        let host = make(root)
        let actions = state.withLock { state in
            state.host = host
            defer { state.whenBuilt = [] }
            return state.whenBuilt
        }
        for action in actions { action(host) }
    }

    /// Builds the host now; the refusal that stopped its build, if any.
    func buildNow() -> ScenarioError? {
        root.prepare()
        return reference?.failure
    }
}

/// The way from a fleet host's directory back to its `ScenarioHost`, which owns
/// the directory: weak, so that an unbuilt host's directory does not keep it alive.
final class LazyHostReference: @unchecked Sendable {
    // Both are set before the tree is served and read by the preparation, which runs once.
    weak var handle: ScenarioHost?
    var failure: ScenarioError?
}
