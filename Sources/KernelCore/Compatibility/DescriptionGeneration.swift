import Compatibility
import Support
import Synchronization
import SystemPackage
import SysfsTree

/// Lets a driver's interfaces keep the description they were last given
/// and read it again without the host's lock, which every device of the host
/// shares: the driver moves the generation on, under that lock, with every
/// change a description depends on.
public final class DescriptionGeneration: Sendable {
    private struct Kept {
        let generation: UInt64
        let description: CompatibilityDescription?
    }

    private let value = Atomic<UInt64>(0)

    public init() {}

    /// Called by every change a description depends on.
    public func advance() {
        value.wrappingAdd(1, ordering: .releasing)
    }

    /// `describe`, run again only once the generation has moved on since its last answer.
    public func keeping(_ describe: @escaping CompatibilityInterfaces.Describe) -> CompatibilityInterfaces.Describe {
        let kept = Locked<Kept?>(nil)
        return { [self] () throws(Errno) in
            // Read before describing: a change in between leaves an older generation, described again next time.
            let now = value.load(ordering: .acquiring)
            let current = kept.withLock { kept -> CompatibilityDescription?? in
                guard let kept, kept.generation == now else { return nil }
                return .some(kept.description)
            }
            if let current { return current }
            let description = try describe()
            kept.withLock { $0 = Kept(generation: now, description: description) }
            return description
        }
    }
}
