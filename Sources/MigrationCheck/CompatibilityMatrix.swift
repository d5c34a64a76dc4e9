import Compatibility

/// Every migratable device of one host checked against every possible
/// target on another: functions and mdevs as sources; functions, mdevs and
/// mdev types (a target that does not exist yet) as targets.
public struct CompatibilityMatrix: Sendable {
    public struct Entry: Sendable, Equatable {
        public let node: DeviceNode
        /// e.g. `0000:3b:00.1`, `0000:00:02.0/5e1f…  i915-GVTg_V5_4`, `0000:00:02.0 type i915-GVTg_V5_4`.
        public let label: String
        public let summary: DeviceSummary
    }

    /// A pair's place in the matrix. Devices of different models (PCI
    /// `vendor:device`, or mdev type) are not compared: no management tool would
    /// try to migrate an NVMe VF onto a vGPU type, so such a pair is neither
    /// compatible nor a failure.
    public enum Outcome: String, Sendable {
        case compatible
        case incompatible
        case notComparable = "n/a"
    }

    public struct Counts: Sendable, Equatable {
        public var compatible = 0
        public var incompatible = 0
        public var notComparable = 0
        public var pairs: Int { compatible + incompatible + notComparable }
    }

    public let flavour: InterfaceFlavour
    public let sourceHost: String
    public let targetHost: String
    public let sources: [Entry]
    public let targets: [Entry]
    /// `results[row][column]`: source `row` against target `column`.
    public let results: [[CheckResult]]

    public init(sourceHost: String, targetHost: String, flavour: InterfaceFlavour, access: some SysfsAccess,
                codecs: [any MigrationVersionCodec]) {
        self.flavour = flavour
        self.sourceHost = sourceHost
        self.targetHost = targetHost
        let sources = Self.devices(under: sourceHost, flavour: flavour, access: access, types: false)
        let targets = Self.devices(under: targetHost, flavour: flavour, access: access, types: true)
        let checker = MigrationChecker(access: access, codecs: codecs)
        self.sources = sources
        self.targets = targets
        results = sources.map { source in
            targets.map { checker.check(source.node, $0.node, flavour: flavour) }
        }
    }

    /// The devices under a `/sys` root that show the flavour's attribute.
    static func devices(under root: String, flavour: InterfaceFlavour, access: some SysfsAccess,
                        types: Bool) -> [Entry] {
        var entries: [Entry] = []
        func add(_ path: String, label: String) {
            guard access.exists(joinPath(path, flavour.attributeName)),
                  let node = DeviceNode(path: path, access: access) else { return }
            entries.append(Entry(node: node, label: label, summary: DeviceSummary(node: node, access: access)))
        }
        let functions = joinPath(root, "bus/pci/devices")
        for name in (access.list(functions) ?? []).sorted() {
            add(joinPath(functions, name), label: name)
        }
        let mdevs = joinPath(root, "bus/mdev/devices")
        for name in (access.list(mdevs) ?? []).sorted() {
            let path = joinPath(mdevs, name)
            let parent = access.resolve(path).map { baseName(String($0.dropLast(name.count + 1))) } ?? "?"
            let type = access.resolve(joinPath(path, "mdev_type")).map(baseName) ?? "?"
            add(path, label: "\(parent)/\(name) \(type)")
        }
        if types {
            let parents = joinPath(root, "class/mdev_bus")
            for parent in (access.list(parents) ?? []).sorted() {
                let typesPath = joinPath(joinPath(parents, parent), "mdev_supported_types")
                for type in (access.list(typesPath) ?? []).sorted() {
                    add(joinPath(typesPath, type), label: "\(parent) type \(type)")
                }
            }
        }
        return entries
    }

    public func outcome(_ row: Int, _ column: Int) -> Outcome {
        guard sources[row].summary.model == targets[column].summary.model else { return .notComparable }
        return results[row][column].isCompatible ? .compatible : .incompatible
    }

    public var counts: Counts {
        var counts = Counts()
        for row in sources.indices {
            for column in targets.indices {
                switch outcome(row, column) {
                case .compatible: counts.compatible += 1
                case .incompatible: counts.incompatible += 1
                case .notComparable: counts.notComparable += 1
                }
            }
        }
        return counts
    }

    /// e.g. `9 of 11 comparable pairs compatible, 2 incompatible; 31 pairs n/a (different device models)`.
    public var summaryLine: String {
        let counts = counts
        return "\(counts.compatible) of \(counts.compatible + counts.incompatible) comparable pairs compatible, "
            + "\(counts.incompatible) incompatible; \(counts.notComparable) pairs n/a (different device models)"
    }

    /// A grid: one row per source, one column per target (numbered, with a
    /// key), each cell `ok`, the field that made the pair incompatible, or `-`
    /// for a pair of different device models.
    public var text: String {
        var lines = ["\(flavour.rawValue): \(sources.count) sources on \(sourceHost), "
                     + "\(targets.count) targets on \(targetHost)"]
        guard !sources.isEmpty, !targets.isEmpty else { return lines.joined(separator: "\n") + "\n" }
        lines.append("targets:")
        for (index, target) in targets.enumerated() {
            lines.append("  T\(index + 1)  \(target.label)  (\(target.summary.description))")
        }
        let cells = sources.indices.map { row in
            targets.indices.map { column in
                switch outcome(row, column) {
                case .compatible: return "ok"
                case .notComparable: return "-"
                case .incompatible: return results[row][column].verdict.incompatibility.map { String($0.field.prefix(16)) } ?? "?"
                }
            }
        }
        let widths = targets.indices.map { column in
            max("T\(column + 1)".count, cells.map { $0[column].count }.max() ?? 0)
        }
        let corner = "source \\ target"
        let labelWidth = max(corner.count, sources.map(\.label.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        func row(_ label: String, _ cells: [String]) -> String {
            let line = pad(label, labelWidth) + "  " + zip(cells, widths).map { pad($0, $1) }.joined(separator: "  ")
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }
        lines.append(row(corner, targets.indices.map { "T\($0 + 1)" }))
        for (index, source) in sources.enumerated() { lines.append(row(source.label, cells[index])) }
        lines.append(summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }
}
