import Support
import SystemPackage
import SysfsTree

/// `/sys/devices/system/node` (`drivers/base/node.c`, the per-node huge pages
/// of `mm/hugetlb.c`) and `/sys/bus/node`.
extension Host {
    func buildNodeDirectories() {
        let count = system.topology.nodeCount
        let systemDirectory = root.directory(["devices", "system"])
        systemDirectory.insert(systemDirectory.makeDirectory("node") { [weak self] directory in
            self?.nodeRootNodes(in: directory) ?? []
        })
        addSystemBus("node", devices: (0..<count).map { "node\($0)" })
    }

    private func nodeRootNodes(in nodeRoot: Directory) -> [Node] {
        let count = system.topology.nodeCount
        let all = CPUMask(width: count, cpus: 0..<count).listText
        var nodes: [Node] = ["possible", "online", "has_normal_memory", "has_memory"].map {
            nodeRoot.makeAttribute($0, mode: 0o444, value: all)
        }
        nodes.append(nodeRoot.makeAttribute("has_cpu", mode: 0o444) { [weak self] in
            guard let self else { return "\n" }
            return CPUMask(width: count, cpus: (0..<count).filter { !self.system.cpus(ofNode: $0).isEmpty }).listText
        })
        nodes.append(nodeRoot.makeAttribute("has_generic_initiator", mode: 0o444, value: "\n"))
        nodes.append(uneventfulUEvent(in: nodeRoot))
        for node in 0..<count {
            nodes.append(nodeRoot.makeDirectory("node\(node)") { [weak self] directory in
                self?.nodeAttributes(node, in: directory) ?? []
            })
        }
        return nodes
    }

    private func nodeAttributes(_ node: Int, in directory: Directory) -> [Node] {
        let topology = system.topology
        var nodes: [Node] = [
            Host.cpumaskFile("cpumap", in: directory) { [weak self] in self?.system.cpus(ofNode: node).mapText ?? "\n" },
            Host.cpumaskFile("cpulist", in: directory) { [weak self] in self?.system.cpus(ofNode: node).listText ?? "\n" },
            directory.makeAttribute("meminfo", mode: 0o444) { [weak self] in self?.meminfo(ofNode: node) ?? "" },
            directory.makeAttribute("numastat", mode: 0o444, value: """
                numa_hit 0
                numa_miss 0
                numa_foreign 0
                interleave_hit 0
                local_node 0
                other_node 0

                """),
            directory.makeAttribute("distance", mode: 0o444, value: (0..<topology.nodeCount)
                .map { String(topology.distance(from: node, to: $0)) }.joined(separator: " ") + "\n"),
            // `compact_store` compacts the node and accepts any text.
            directory.makeAttribute("compact", mode: 0o200, store: { _ in }),
            directory.makeAttribute("uevent", mode: 0o644, show: { "" }, store: { [weak self] input throws(Errno) in
                let request = try SyntheticUEvent(parsing: input)
                self?.emit(UEvent(action: request.action, devpath: directory.path, subsystem: "node",
                                  properties: request.properties))
            }),
            directory.makeSymlink("subsystem", to: "/bus/node"),
            hugePagesDirectory(node, in: directory),
        ]
        for cpu in topology.cpus(ofNode: node).cpus {
            nodes.append(directory.makeSymlink("cpu\(cpu)", to: "/devices/system/cpu/cpu\(cpu)"))
        }
        return nodes
    }

    private func hugePagesDirectory(_ node: Int, in parent: Directory) -> Directory {
        parent.makeDirectory("hugepages") { [weak self] directory in
            SystemDevices.hugePageSizesKB.map { sizeKB in
                directory.makeDirectory("hugepages-\(sizeKB)kB") { [weak self] directory in
                    let count: @Sendable () -> String = { [weak self] in
                        "\(self?.system.hugePages(node: node, sizeKB: sizeKB) ?? 0)\n"
                    }
                    return [
                        directory.makeAttribute("nr_hugepages", mode: 0o644, show: count,
                                                store: { [weak self] input throws(Errno) in
                            // `__nr_hugepages_store_common`: kstrtoul base 10, its own errno.
                            let requested = try input.unsignedInteger(base: 10)
                            self?.system.setHugePages(requested, node: node, sizeKB: sizeKB)
                        }),
                        // Nothing maps them, so every persistent page is free and none is surplus.
                        directory.makeAttribute("free_hugepages", mode: 0o444, show: count),
                        directory.makeAttribute("surplus_hugepages", mode: 0o444, value: "0\n"),
                    ]
                }
            }
        }
    }

    /// `node_read_meminfo` for a node whose kernel, page cache and slab take a
    /// fixed share of its memory, and whose huge pages are all free.
    private func meminfo(ofNode node: Int) -> String {
        let memory = system.memory(ofNode: node)
        let used = memory.reservedKB + memory.hugeKB
        let cache = memory.reservedKB / 4, anon = memory.reservedKB / 4, slab = memory.reservedKB / 8
        let defaultHuge = system.hugePages(node: node, sizeKB: SystemDevices.hugePageSizesKB[0])
        let kB: [(String, Int)] = [
            ("MemTotal", memory.totalKB), ("MemFree", memory.freeKB), ("MemUsed", used), ("SwapCached", 0),
            ("Active", anon / 2 + cache / 2), ("Inactive", anon / 2 + cache / 2),
            ("Active(anon)", anon / 2), ("Inactive(anon)", anon / 2),
            ("Active(file)", cache / 2), ("Inactive(file)", cache / 2), ("Unevictable", 0), ("Mlocked", 0),
            ("Dirty", 0), ("Writeback", 0), ("FilePages", cache), ("Mapped", cache / 4), ("AnonPages", anon),
            ("Shmem", 0), ("KernelStack", 16 * 1024), ("PageTables", anon / 64), ("SecPageTables", 0),
            ("NFS_Unstable", 0), ("Bounce", 0), ("WritebackTmp", 0), ("KReclaimable", slab / 2),
            ("Slab", slab), ("SReclaimable", slab / 2), ("SUnreclaim", slab - slab / 2),
            ("AnonHugePages", 0), ("ShmemHugePages", 0), ("ShmemPmdMapped", 0), ("FileHugePages", 0),
            ("FilePmdMapped", 0),
        ]
        var text = ""
        for (key, value) in kB {
            text += "Node \(node) " + Host.padded(key + ":", to: 16) + Host.rightAligned(value, 8) + " kB\n"
        }
        for (key, value) in [("HugePages_Total: ", defaultHuge), ("HugePages_Free:  ", defaultHuge), ("HugePages_Surp:  ", 0)] {
            text += "Node \(node) " + key + Host.rightAligned(value, 5) + "\n"
        }
        return text
    }

    static func padded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `%Nlu`.
    static func rightAligned(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: " ", count: width - digits.count) + digits
    }
}
