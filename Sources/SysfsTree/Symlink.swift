/// A sysfs symlink. The target is kept as an absolute path below the tree's
/// root and rendered relative to the link, as `sysfs_create_link` does.
public final class Symlink: Node, @unchecked Sendable {
    public let target: String

    init(name: String, parent: Directory?, events: TreeEvents, target: String) {
        self.target = target
        super.init(name: name, parent: parent, events: events, kind: .symlink, mode: 0o777)
    }

    /// e.g. `../../../devices/pci0000:00/0000:00:02.0` for `/bus/pci/devices/0000:00:02.0`.
    public var relativeTarget: String {
        let base = (parent?.path ?? "/").split(separator: "/")
        let goal = target.split(separator: "/")
        var common = 0
        while common < base.count, common < goal.count, base[common] == goal[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        let rest = goal[common...].map(String.init)
        let parts = ups + rest
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
