import Support
/// A host's processors and memory as firmware describes them: sockets of
/// cores of hardware threads, split into NUMA nodes, with memory on each node.
///
/// CPUs are numbered as Linux numbers them on Intel servers: the first thread
/// of every core, socket by socket, then the second thread of every core, so
/// a two-socket host with hyper-threading has node 0 at `0-3,8-11`.
public struct CPUTopology: Sendable, Equatable {
    public var sockets: Int
    public var coresPerSocket: Int
    public var threadsPerCore: Int
    /// More than one splits each socket's cores (sub-NUMA clustering).
    public var nodesPerSocket: Int
    public var memoryMiBPerNode: Int

    public init(sockets: Int, coresPerSocket: Int, threadsPerCore: Int, nodesPerSocket: Int = 1,
                memoryMiBPerNode: Int = 32 << 10) {
        self.sockets = max(1, sockets)
        self.coresPerSocket = max(1, coresPerSocket)
        self.threadsPerCore = max(1, threadsPerCore)
        self.nodesPerSocket = max(1, nodesPerSocket)
        self.memoryMiBPerNode = max(1, memoryMiBPerNode)
    }

    /// A two-socket server: 4 cores with 2 threads and 32 GiB on each socket.
    public static let twoSocketServer = CPUTopology(sockets: 2, coresPerSocket: 4, threadsPerCore: 2)

    /// `cpus` single-threaded cores on one socket, one node with 16 GiB.
    public static func singleNode(cpus: Int) -> CPUTopology {
        CPUTopology(sockets: 1, coresPerSocket: cpus, threadsPerCore: 1, memoryMiBPerNode: 16 << 10)
    }

    public var cpuCount: Int { sockets * coresPerSocket * threadsPerCore }
    public var nodeCount: Int { sockets * nodesPerSocket }
    /// A host with one node has no NUMA description: its devices' `numa_node` is -1.
    public var isNUMA: Bool { nodeCount > 1 }

    /// Where one logical CPU sits.
    public struct Placement: Sendable, Equatable {
        public let package: Int
        public let core: Int
        public let thread: Int
        public let node: Int
        /// `cluster_id` on x86: the L2 cache's ID, one per core, numbered across packages.
        public let cluster: Int
    }

    public func placement(of cpu: Int) -> Placement {
        let coresInAll = sockets * coresPerSocket
        let thread = cpu / coresInAll
        let package = cpu % coresInAll / coresPerSocket
        let core = cpu % coresPerSocket
        let coresPerNode = max(1, coresPerSocket / nodesPerSocket)
        let node = package * nodesPerSocket + min(nodesPerSocket - 1, core / coresPerNode)
        let coreBits = Self.bits(for: coresPerSocket)
        return Placement(package: package, core: core, thread: thread, node: node,
                         cluster: package << coreBits | core)
    }

    public func mask(where include: (Placement) -> Bool) -> CPUMask {
        CPUMask(width: cpuCount, cpus: (0..<cpuCount).filter { include(placement(of: $0)) })
    }

    public var allCPUs: CPUMask { CPUMask(width: cpuCount, cpus: 0..<cpuCount) }

    public func cpus(ofNode node: Int) -> CPUMask { mask { $0.node == node } }

    public func threadSiblings(of cpu: Int) -> CPUMask {
        let own = placement(of: cpu)
        return mask { $0.package == own.package && $0.core == own.core }
    }

    public func packageCPUs(of cpu: Int) -> CPUMask {
        let own = placement(of: cpu)
        return mask { $0.package == own.package }
    }

    /// SLIT distances: 10 to itself, 11 within a socket, 21 across sockets.
    public func distance(from node: Int, to other: Int) -> Int {
        if node == other { return 10 }
        return node / nodesPerSocket == other / nodesPerSocket ? 11 : 21
    }

    /// The node whose host bridge decodes `bus`: bus numbers are shared out
    /// among the nodes in equal ranges, as a multi-socket Xeon assigns them;
    /// nil on a host without NUMA.
    public func node(ofBus bus: UInt8) -> Int? {
        guard isNUMA else { return nil }
        return min(nodeCount - 1, Int(bus) * nodeCount / 256)
    }

    private static func bits(for count: Int) -> Int {
        var bits = 0
        while 1 << bits < count { bits += 1 }
        return bits
    }
}
