import Support
import SystemPackage
import SysfsTree

/// The CPUs and NUMA nodes of a host (`drivers/base/cpu.c`, `node.c`,
/// `topology.c`), with the state user space may change: which CPUs are
/// online and how many huge pages each node holds.
public final class SystemDevices: Sendable {
    public let topology: CPUTopology
    private let state: Locked<State>

    struct State {
        var offline = Set<Int>()
        /// Persistent huge pages by node and page size in kB.
        var hugePages: [HugePageKey: Int] = [:]
    }

    struct HugePageKey: Hashable {
        let node: Int
        let sizeKB: Int
    }

    /// The huge page sizes of x86-64 (`hugepages-2048kB`, `hugepages-1048576kB`).
    static let hugePageSizesKB = [2048, 1_048_576]
    /// What a node's kernel, page cache and slab use: a sixteenth of its memory.
    private static let reservedShift = 4

    init(topology: CPUTopology) {
        self.topology = topology
        state = Locked(State())
    }

    // MARK: Masks

    public var onlineCPUs: CPUMask {
        state.withLock { state in
            var mask = topology.allCPUs
            for cpu in state.offline { mask.remove(cpu) }
            return mask
        }
    }

    /// `cpumask_of_node`: x86 takes a CPU out of its node's mask when it goes offline.
    public func cpus(ofNode node: Int) -> CPUMask {
        topology.cpus(ofNode: node).intersection(onlineCPUs)
    }

    /// What a device on `node` reports as `local_cpus`: the node's CPUs, or every
    /// online CPU for `NUMA_NO_NODE` (`pci-sysfs.c` `local_cpus_show`).
    public func localCPUs(ofNode node: Int) -> CPUMask {
        node >= 0 && node < topology.nodeCount ? cpus(ofNode: node) : onlineCPUs
    }

    func isOnline(_ cpu: Int) -> Bool {
        state.withLock { !$0.offline.contains(cpu) }
    }

    // MARK: CPU hotplug

    /// `online_store` (drivers/base/core.c): kstrtobool, then `device_online` or
    /// `device_offline`; the last online CPU cannot go (`cpu_down_maps_locked`: EBUSY).
    /// Returns whether the state changed.
    func setOnline(_ cpu: Int, _ online: Bool) throws(Errno) -> Bool {
        try state.withLock { state throws(Errno) -> Bool in
            if online { return state.offline.remove(cpu) != nil }
            guard !state.offline.contains(cpu) else { return false }
            guard state.offline.count + 1 < topology.cpuCount else { throw .resourceBusy }
            state.offline.insert(cpu)
            return true
        }
    }

    // MARK: Memory

    struct NodeMemory {
        let totalKB: Int
        let reservedKB: Int
        let hugeKB: Int
        var freeKB: Int { totalKB - reservedKB - hugeKB }
    }

    func memory(ofNode node: Int) -> NodeMemory {
        let total = topology.memoryMiBPerNode * 1024
        let huge = state.withLock { state in
            Self.hugePageSizesKB.reduce(0) { $0 + (state.hugePages[HugePageKey(node: node, sizeKB: $1)] ?? 0) * $1 }
        }
        return NodeMemory(totalKB: total, reservedKB: total >> Self.reservedShift, hugeKB: huge)
    }

    func hugePages(node: Int, sizeKB: Int) -> Int {
        state.withLock { $0.hugePages[HugePageKey(node: node, sizeKB: sizeKB)] ?? 0 }
    }

    /// `nr_hugepages` of one node: as many pages as the node's free memory allows,
    /// the rest silently not allocated, as `set_max_huge_pages` does.
    func setHugePages(_ requested: UInt64, node: Int, sizeKB: Int) {
        state.withLock { state in
            let key = HugePageKey(node: node, sizeKB: sizeKB)
            let current = state.hugePages[key] ?? 0
            let total = topology.memoryMiBPerNode * 1024
            let used = Self.hugePageSizesKB.reduce(0) { $0 + (state.hugePages[HugePageKey(node: node, sizeKB: $1)] ?? 0) * $1 }
            let available = total - (total >> Self.reservedShift) - used + current * sizeKB
            state.hugePages[key] = Int(min(requested, UInt64(max(0, available / sizeKB))))
        }
    }
}
