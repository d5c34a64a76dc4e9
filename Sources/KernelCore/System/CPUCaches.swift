import Support
import SysfsTree

/// `cpuN/cache/indexM` (`drivers/base/cacheinfo.c`): the cache levels of a
/// Sapphire Rapids core: L1 data and instruction and L2 per core, L3 per package.
struct CacheLevel: Sendable {
    let level: Int
    let type: String
    let sizeKB: Int
    let ways: Int
    let perPackage: Bool

    static let lineSize = 64

    static func levels(coresPerSocket: Int) -> [CacheLevel] {
        [CacheLevel(level: 1, type: "Data", sizeKB: 48, ways: 12, perPackage: false),
         CacheLevel(level: 1, type: "Instruction", sizeKB: 32, ways: 8, perPackage: false),
         CacheLevel(level: 2, type: "Unified", sizeKB: 2048, ways: 16, perPackage: false),
         CacheLevel(level: 3, type: "Unified", sizeKB: 1920 * coresPerSocket, ways: 15, perPackage: true)]
    }

    var sets: Int { sizeKB * 1024 / (ways * CacheLevel.lineSize) }
}

extension Host {
    func cacheDirectory(_ cpu: Int, in parent: Directory) -> Directory {
        parent.makeDirectory("cache") { [weak self] directory in
            guard let self else { return [] }
            let levels = CacheLevel.levels(coresPerSocket: system.topology.coresPerSocket)
            return [directory.makeAttribute("uevent", mode: 0o644, show: { "" })]
                + levels.enumerated().map { index, level in
                    directory.makeDirectory("index\(index)") { [weak self] directory in
                        self?.cacheAttributes(level, cpu: cpu, in: directory) ?? []
                    }
                }
        }
    }

    private func cacheAttributes(_ level: CacheLevel, cpu: Int, in directory: Directory) -> [Node] {
        let placement = system.topology.placement(of: cpu)
        let shared: @Sendable () -> CPUMask = { [weak self] in
            guard let self else { return CPUMask(width: 1) }
            let topology = system.topology
            let mask = level.perPackage ? topology.packageCPUs(of: cpu) : topology.threadSiblings(of: cpu)
            return mask.intersection(system.onlineCPUs)
        }
        return [
            directory.makeAttribute("id", mode: 0o444, value: "\(level.perPackage ? placement.package : placement.cluster)\n"),
            directory.makeAttribute("level", mode: 0o444, value: "\(level.level)\n"),
            directory.makeAttribute("type", mode: 0o444, value: level.type + "\n"),
            directory.makeAttribute("size", mode: 0o444, value: "\(level.sizeKB)K\n"),
            directory.makeAttribute("coherency_line_size", mode: 0o444, value: "\(CacheLevel.lineSize)\n"),
            directory.makeAttribute("ways_of_associativity", mode: 0o444, value: "\(level.ways)\n"),
            directory.makeAttribute("number_of_sets", mode: 0o444, value: "\(level.sets)\n"),
            directory.makeAttribute("physical_line_partition", mode: 0o444, value: "1\n"),
            directory.makeAttribute("shared_cpu_map", mode: 0o444) { shared().mapText },
            directory.makeAttribute("shared_cpu_list", mode: 0o444) { shared().listText },
            directory.makeAttribute("uevent", mode: 0o644, show: { "" }),
        ]
    }
}
