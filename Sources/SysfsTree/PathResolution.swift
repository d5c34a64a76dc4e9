extension Directory {
    /// Resolves a path below this root the way the VFS would, following
    /// symlinks (relative to where they stand) and `..`. Returns nil for a
    /// missing component or a loop.
    public func resolve(_ path: String, followFinalLink: Bool = true) -> Node? {
        var pending = path.split(separator: "/").map(String.init)
        var current: Node = self
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            switch component {
            case ".": continue
            case "..":
                if !((current as? Directory)?.isSysfsRoot ?? false) { current = current.parent ?? current }
                continue
            default: break
            }
            guard let directory = current as? Directory, let next = directory.child(component) else { return nil }
            if let link = next as? Symlink, followFinalLink || !pending.isEmpty {
                hops += 1
                if hops > 40 { return nil }
                pending = link.relativeTarget.split(separator: "/").map(String.init) + pending
                continue
            }
            current = next
        }
        return current
    }
}
