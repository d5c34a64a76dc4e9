import Support
import SystemPackage
import SysfsTree

/// `/sys/devices/system/cpu` (`drivers/base/cpu.c`, `topology.c`) and `/sys/bus/cpu`.
extension Host {
    /// `NR_CPUS` of Debian's x86-64 kernel: `kernel_max` and the sizes of the cpumask files.
    static let configuredCPUs = 8192
    /// `CPUMAP_FILE_MAX_BYTES` and `CPULIST_FILE_MAX_BYTES` for that `NR_CPUS`.
    static let cpumapFileSize = 4096
    static let cpulistFileSize = configuredCPUs * 7 / 2

    /// Built on first use, as every other directory of a fleet's hosts.
    func buildCPUDirectories() {
        let count = system.topology.cpuCount
        let systemDirectory = root.directory(["devices", "system"])
        systemDirectory.insert(systemDirectory.makeDirectory("cpu") { [weak self] directory in
            self?.cpuRootNodes(in: directory) ?? []
        })
        addSystemBus("cpu", devices: (0..<count).map { "cpu\($0)" }, driver: "processor")
    }

    private func cpuRootNodes(in cpuRoot: Directory) -> [Node] {
        let topology = system.topology
        var nodes: [Node] = [
            cpuRoot.makeAttribute("online", mode: 0o444) { [weak self] in self?.system.onlineCPUs.listText ?? "\n" },
            cpuRoot.makeAttribute("possible", mode: 0o444, value: topology.allCPUs.listText),
            cpuRoot.makeAttribute("present", mode: 0o444, value: topology.allCPUs.listText),
            cpuRoot.makeAttribute("offline", mode: 0o444) { [weak self] in
                guard let self else { return "\n" }
                let online = system.onlineCPUs
                return CPUMask(width: topology.cpuCount, cpus: (0..<topology.cpuCount).filter { !online.contains($0) })
                    .listText
            },
            cpuRoot.makeAttribute("enabled", mode: 0o444, value: topology.allCPUs.listText),
            cpuRoot.makeAttribute("isolated", mode: 0o444, value: "\n"),
            cpuRoot.makeAttribute("kernel_max", mode: 0o444, value: "\(Host.configuredCPUs - 1)\n"),
            cpuRoot.makeAttribute("modalias", mode: 0o444, value: Host.cpuModalias + "\n"),
            uneventfulUEvent(in: cpuRoot),
        ]
        for cpu in 0..<topology.cpuCount {
            nodes.append(cpuRoot.makeDirectory("cpu\(cpu)") { [weak self] directory in
                self?.cpuAttributes(cpu, in: directory) ?? []
            })
        }
        return nodes
    }

    private func cpuAttributes(_ cpu: Int, in directory: Directory) -> [Node] {
        let node = system.topology.placement(of: cpu).node
        var nodes: [Node] = [
            directory.makeAttribute("uevent", mode: 0o644,
                                    show: { "MODALIAS=" + Host.cpuModalias + "\n\n" },
                                    store: { [weak self] input throws(Errno) in
                                        let request = try SyntheticUEvent(parsing: input)
                                        self?.emit(UEvent(action: request.action, devpath: directory.path, subsystem: "cpu",
                                                          properties: request.properties + Host.cpuUEventProperties))
                                    }),
            directory.makeSymlink("subsystem", to: "/bus/cpu"),
            directory.makeSymlink("driver", to: "/bus/cpu/drivers/processor"),
            directory.makeSymlink("node\(node)", to: "/devices/system/node/node\(node)"),
        ]
        nodes.append(cacheDirectory(cpu, in: directory))
        if system.isOnline(cpu) { nodes.append(topologyDirectory(cpu, in: directory)) }
        // x86 registers CPU 0 as not hotpluggable, so it has no `online` (`arch_register_cpu`).
        if cpu > 0 {
            nodes.append(directory.makeAttribute("online", mode: 0o644,
                                                 show: { [weak self] in (self?.system.isOnline(cpu) ?? false) ? "1\n" : "0\n" },
                                                 store: { [weak self, weak directory] input throws(Errno) in
                                                     guard let self, let directory else { throw .noDevice }
                                                     try self.storeCPUOnline(input, cpu: cpu, directory: directory)
                                                 }))
        }
        return nodes
    }

    /// `cpuN/topology/`: IDs as text attributes, masks and lists as binary ones sized for `NR_CPUS`.
    private func topologyDirectory(_ cpu: Int, in parent: Directory) -> Directory {
        parent.makeDirectory("topology") { [weak self] directory in
            guard let self else { return [] }
            let placement = system.topology.placement(of: cpu)
            let threads: @Sendable () -> CPUMask = { [weak self] in
                guard let self else { return CPUMask(width: 1) }
                return system.topology.threadSiblings(of: cpu).intersection(system.onlineCPUs)
            }
            let package: @Sendable () -> CPUMask = { [weak self] in
                guard let self else { return CPUMask(width: 1) }
                return system.topology.packageCPUs(of: cpu).intersection(system.onlineCPUs)
            }
            var nodes: [Node] = [
                directory.makeAttribute("physical_package_id", mode: 0o444, value: "\(placement.package)\n"),
                directory.makeAttribute("die_id", mode: 0o444, value: "0\n"),
                directory.makeAttribute("cluster_id", mode: 0o444, value: "\(placement.cluster)\n"),
                directory.makeAttribute("core_id", mode: 0o444, value: "\(placement.core)\n"),
            ]
            // Cores have L2 caches of their own, so a cluster is a core's threads; one die per package.
            for (name, mask) in [("core_cpus", threads), ("thread_siblings", threads), ("core_siblings", package),
                                 ("cluster_cpus", threads), ("die_cpus", package), ("package_cpus", package)] {
                nodes.append(Host.cpumaskFile(name, in: directory) { mask().mapText })
                nodes.append(Host.cpumaskFile(name + "_list", in: directory) { mask().listText })
            }
            return nodes
        }
    }

    /// A read-only binary attribute serving a cpumask's text by offset, as `cpumap_print_bitmask_to_buf` does.
    static func cpumaskFile(_ name: String, in directory: Directory, text: @escaping @Sendable () -> String) -> Node {
        let size = name.hasSuffix("list") ? cpulistFileSize : cpumapFileSize
        return directory.makeBinaryAttribute(name, mode: 0o444, size: size) { offset, count in
            let bytes = Array(text().utf8)
            guard offset < bytes.count else { return [] }
            return Array(bytes[offset..<min(bytes.count, offset + count)])
        }
    }

    private func storeCPUOnline(_ input: StoreInput, cpu: Int, directory: Directory) throws(Errno) {
        guard let online = try? input.boolean() else { throw .invalidArgument }
        try lock.withLock { () throws(Errno) in
            guard try system.setOnline(cpu, online) else { return }
            if online {
                directory.insert(topologyDirectory(cpu, in: directory))
            } else {
                directory.remove("topology")
            }
            emit(UEvent(action: online ? .online : .offline, devpath: directory.path, subsystem: "cpu",
                        properties: Host.cpuUEventProperties))
        }
    }

    /// `print_cpu_modalias` for a Sapphire Rapids part (Intel, family 6, model 0x8f) with its first feature words.
    static let cpuModalias = "cpu:type:x86,ven0000fam0006mod008F:feature:"
        + [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
           0x10, 0x11, 0x13, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1F, 0x2B, 0x34,
           0x3A, 0x3B, 0x3D, 0x68, 0x6B, 0x6C, 0x6D, 0x6F, 0x70, 0x72, 0x74, 0x75, 0x76, 0x79, 0x80,
           0x81, 0x83, 0x89, 0x8C, 0x8D, 0x91, 0x93, 0x94, 0x96, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D,
           0x9E, 0x9F, 0xC0, 0xC5, 0xE4, 0xE7, 0xEB, 0xEC, 0xF0, 0xF1, 0xF3, 0xF5, 0xF6, 0xF9, 0xFA,
           0xFB, 0xFD, 0xFE, 0xFF].map { "," + upperHex($0, 4) }.joined()

    /// `cpu_uevent` adds the modalias with the newline `print_cpu_modalias` ends it with.
    static var cpuUEventProperties: [(String, String)] { [("MODALIAS", cpuModalias + "\n")] }

    // MARK: Shared by the CPU and node subsystems

    /// `/sys/bus/<name>` of a subsystem registered with `subsys_system_register`,
    /// its devices under `/devices/system/<name>/`, all bound to `driver` if one is given.
    func addSystemBus(_ name: String, devices: [String], driver: String? = nil) {
        let buses = root.directory("bus")
        buses.insert(buses.makeDirectory(name) { [weak self] bus in
            let devicePath = "/devices/system/\(name)/"
            let deviceLinks = bus.makeDirectory("devices") { links in
                devices.map { links.makeSymlink($0, to: devicePath + $0) }
            }
            let drivers = bus.makeDirectory("drivers") { drivers in
                guard let driver else { return [] }
                return [drivers.makeDirectory(driver) { directory in
                    ["bind", "unbind", "uevent"].map { directory.makeAttribute($0, mode: 0o200) }
                        + devices.map { directory.makeSymlink($0, to: devicePath + $0) }
                }]
            }
            let autoprobe = Locked(true)
            return [
                deviceLinks, drivers,
                // `drivers_autoprobe_store`: anything but a leading '0' turns it on.
                bus.makeAttribute("drivers_autoprobe", mode: 0o644,
                                  show: { autoprobe.withLock { $0 } ? "1\n" : "0\n" },
                                  store: { input in autoprobe.withLock { $0 = input.bytes.first != UInt8(ascii: "0") } }),
                // `drivers_probe_store`: ENODEV for a name the bus does not know; the rest are bound already.
                bus.makeAttribute("drivers_probe", mode: 0o200, store: { input throws(Errno) in
                    guard devices.contains(where: { input.streq($0) }) else { throw .noDevice }
                }),
                bus.makeAttribute("uevent", mode: 0o200, store: { [weak self] input throws(Errno) in
                    let request = try SyntheticUEvent(parsing: input)
                    self?.emit(UEvent(action: request.action, devpath: "/bus/" + name, subsystem: "bus",
                                      properties: request.properties))
                }),
            ]
        })
    }

    /// The `uevent` of a subsystem's root device: it belongs to no bus or class,
    /// so `dev_uevent_filter` drops the event a write asks for, after parsing it.
    func uneventfulUEvent(in directory: Directory) -> Node {
        directory.makeAttribute("uevent", mode: 0o644, show: { "" }, store: { input throws(Errno) in
            _ = try SyntheticUEvent(parsing: input)
        })
    }
}
