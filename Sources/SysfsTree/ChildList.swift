/// A directory's children in the order they were added, found by name.
///
/// Most sysfs directories hold a handful of entries (an IOMMU group, a
/// driver link's directory), so names are searched in the list itself; an
/// index by name is kept only once there are more than `indexedAbove`.
struct ChildList {
    private(set) var nodes: [Node] = []
    /// How many of `nodes` are directories, which a directory's link count reports.
    private(set) var subdirectoryCount = 0
    private var index: [String: Node]?
    static let indexedAbove = 8

    func node(named name: String) -> Node? {
        if let index { return index[name] }
        return nodes.first { $0.name == name }
    }

    /// Adds `node`, or puts it in the place of the node of its name, which is returned.
    mutating func put(_ node: Node) -> Node? {
        if node.kind == .directory { subdirectoryCount += 1 }
        if let old = self.node(named: node.name) {
            if old.kind == .directory { subdirectoryCount -= 1 }
            if let position = nodes.firstIndex(where: { $0 === old }) { nodes[position] = node }
            index?[node.name] = node
            return old
        }
        nodes.append(node)
        if index != nil {
            index?[node.name] = node
        } else if nodes.count > ChildList.indexedAbove {
            index = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        }
        return nil
    }

    mutating func remove(named name: String) -> Node? {
        guard let old = node(named: name) else { return nil }
        if old.kind == .directory { subdirectoryCount -= 1 }
        nodes.removeAll { $0 === old }
        index?[name] = nil
        return old
    }
}
