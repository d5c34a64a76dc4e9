import Compatibility

/// Every migratable device of one host checked against every possible
/// target on another: functions and mdevs as sources; functions, mdevs and
/// mdev types (a target that does not exist yet) as targets.
public struct CompatibilityMatrix: Sendable {
    public struct Entry: Sendable, Equatable {
        public let node: DeviceNode
        /// e.g. `0000:3b:00.1`, `0000:00:02.0/5e1f…  i915-GVTg_V5_4`, `0000:00:02.0 type i915-GVTg_V5_4`.
        public let label: String
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
            entries.append(Entry(node: node, label: label))
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

    /// A grid: one row per source, one column per target (numbered, with a
    /// key), each cell `ok` or the field that made the pair incompatible.
    public var text: String {
        var lines = ["\(flavour.rawValue): \(sources.count) sources on \(sourceHost), "
                     + "\(targets.count) targets on \(targetHost)"]
        guard !sources.isEmpty, !targets.isEmpty else { return lines.joined(separator: "\n") + "\n" }
        lines.append("targets:")
        for (index, target) in targets.enumerated() { lines.append("  T\(index + 1)  \(target.label)") }
        let cells = results.map { row in row.map { $0.verdict.incompatibility.map { String($0.field.prefix(16)) } ?? "ok" } }
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
        let compatible = results.joined().filter(\.isCompatible).count
        lines.append("\(compatible) of \(sources.count * targets.count) pairs compatible")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A page with the table, each cell carrying its verdict and reason.
    public var html: String {
        var page = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Migration compatibility</title>
            <style>
            body { font-family: sans-serif; margin: 2em; }
            table { border-collapse: collapse; }
            th, td { border: 1px solid #999; padding: 0.4em; vertical-align: top; font-size: 0.85em; }
            th { background: #eee; }
            td.ok { background: #d9f2d9; }
            td.no { background: #f6d6d6; }
            code { font-size: 0.95em; }
            </style></head><body>
            <h1>Migration compatibility (\(escape(flavour.rawValue)))</h1>
            <p>Sources on <code>\(escape(sourceHost))</code> (rows),
            targets on <code>\(escape(targetHost))</code> (columns).</p>

            """
        page += "<table>\n<tr><th>source \\ target</th>"
        page += targets.map { "<th>\(escape($0.label))</th>" }.joined() + "</tr>\n"
        for (row, source) in sources.enumerated() {
            page += "<tr><th>\(escape(source.label))</th>"
            for result in results[row] {
                if let reason = result.verdict.incompatibility {
                    let hint = result.hint.map { "<br><i>\(escape($0))</i>" } ?? ""
                    page += "<td class=\"no\">\(escape("incompatible: \(reason)"))\(hint)</td>"
                } else {
                    page += "<td class=\"ok\">compatible</td>"
                }
            }
            page += "</tr>\n"
        }
        let compatible = results.joined().filter(\.isCompatible).count
        page += "</table>\n<p>\(compatible) of \(sources.count * targets.count) pairs compatible.</p>\n</body></html>\n"
        return page
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
