import Support

/// The matrix as the page and `matrix --json` show it: devices grouped by
/// driver and model, identical devices (same model and version, same verdict
/// against everything) collapsed into one row or column with a count.
public struct MatrixReport: Sendable {
    /// One row or column: devices that cannot be told apart by their verdicts.
    public struct Group: Sendable {
        /// `S1`, `T3`: the group's name in the JSON and on the page.
        public let id: String
        /// Indices into the matrix's sources or targets.
        public let members: [Int]
        public let labels: [String]
        public let summary: DeviceSummary
    }

    public struct Cell: Sendable {
        public let source: Group
        public let target: Group
        public let outcome: CompatibilityMatrix.Outcome
        /// The first pair's result; every pair of the two groups has the same verdict.
        public let result: CheckResult
    }

    public let matrix: CompatibilityMatrix
    /// What was checked, e.g. the scenario file of the mount.
    public let title: String?
    /// When, as ISO 8601 UTC.
    public let generated: String
    /// The tool's `--version` line.
    public let tool: String
    public let rows: [Group]
    public let columns: [Group]

    public init(matrix: CompatibilityMatrix, title: String?, generated: String, tool: String) {
        self.matrix = matrix
        self.title = title
        self.generated = generated
        self.tool = tool
        // Rows are collapsed on their verdicts against every target, then columns on the collapsed rows.
        let rowKeys = matrix.sources.indices.map { row in
            matrix.targets.indices.map { Self.verdictKey(matrix, row, $0) }
        }
        rows = Self.groups(matrix.sources, prefix: "S") { rowKeys[$0] }
        let representatives = rows.map { $0.members[0] }
        columns = Self.groups(matrix.targets, prefix: "T") { column in
            representatives.map { Self.verdictKey(matrix, $0, column) }
        }
    }

    public func cell(_ row: Group, _ column: Group) -> Cell {
        let (r, c) = (row.members[0], column.members[0])
        return Cell(source: row, target: column, outcome: matrix.outcome(r, c), result: matrix.results[r][c])
    }

    private static func verdictKey(_ matrix: CompatibilityMatrix, _ row: Int, _ column: Int) -> String {
        matrix.outcome(row, column).rawValue + " " + matrix.results[row][column].summary
            + " " + (matrix.results[row][column].hint ?? "")
    }

    private static func groups(_ entries: [CompatibilityMatrix.Entry], prefix: String,
                               verdicts: (Int) -> [String]) -> [Group] {
        var order: [Int] = Array(entries.indices)
        order.sort { a, b in
            let (x, y) = (entries[a].summary, entries[b].summary)
            return (x.driver, x.model, entries[a].label) < (y.driver, y.model, entries[b].label)
        }
        var collected: [(summary: DeviceSummary, verdicts: [String], members: [Int])] = []
        for index in order {
            let key = verdicts(index)
            if let at = collected.firstIndex(where: { $0.summary == entries[index].summary && $0.verdicts == key }) {
                collected[at].members.append(index)
            } else {
                collected.append((entries[index].summary, key, [index]))
            }
        }
        return collected.enumerated().map { offset, group in
            Group(id: "\(prefix)\(offset + 1)", members: group.members, labels: group.members.map { entries[$0].label },
                  summary: group.summary)
        }
    }

    /// The same content as the page, for scripts: groups with their devices, every cell, the counts.
    public var json: JSONValue {
        func group(_ group: Group) -> JSONValue {
            .object([
                .init(key: "id", value: .string(group.id)),
                .init(key: "devices", value: .array(group.labels.map(JSONValue.string))),
                .init(key: "count", value: .number(UInt64(group.members.count))),
                .init(key: "kind", value: .string(group.summary.kind.rawValue)),
                .init(key: "driver", value: .string(group.summary.driver)),
                .init(key: "model", value: .string(group.summary.model)),
                .init(key: "version", value: group.summary.version.map(JSONValue.string) ?? .null),
            ])
        }
        var cells: [JSONValue] = []
        for row in rows {
            for column in columns {
                let cell = cell(row, column)
                var members: [JSONValue.Member] = [
                    .init(key: "source", value: .string(row.id)),
                    .init(key: "target", value: .string(column.id)),
                    .init(key: "verdict", value: .string(cell.outcome.rawValue)),
                ]
                if let reason = cell.result.verdict.incompatibility {
                    members.append(.init(key: "field", value: .string(reason.field)))
                    members.append(.init(key: "reason", value: .string(reason.description)))
                }
                if let hint = cell.result.hint { members.append(.init(key: "hint", value: .string(hint))) }
                cells.append(.object(members))
            }
        }
        let counts = matrix.counts
        return .object([
            .init(key: "title", value: title.map(JSONValue.string) ?? .null),
            .init(key: "generated", value: .string(generated)),
            .init(key: "tool", value: .string(tool)),
            .init(key: "flavour", value: .string(matrix.flavour.rawValue)),
            .init(key: "source_host", value: .string(matrix.sourceHost)),
            .init(key: "target_host", value: .string(matrix.targetHost)),
            .init(key: "counts", value: .object([
                .init(key: "pairs", value: .number(UInt64(counts.pairs))),
                .init(key: "compatible", value: .number(UInt64(counts.compatible))),
                .init(key: "incompatible", value: .number(UInt64(counts.incompatible))),
                .init(key: "n/a", value: .number(UInt64(counts.notComparable))),
            ])),
            .init(key: "sources", value: .array(rows.map(group))),
            .init(key: "targets", value: .array(columns.map(group))),
            .init(key: "cells", value: .array(cells)),
        ])
    }
}
