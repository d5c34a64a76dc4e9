import Support

/// A kernfs directory. Children may be built lazily: `populate` runs once, on
/// first use, so a fleet of hosts costs memory only where it is looked at.
public final class Directory: Node, @unchecked Sendable {
    private struct Children {
        var list = ChildList()
        /// Nanoseconds since the epoch of the last change, 0 for none: a fleet has a million directories.
        var modified = 0
        var populated = false

        /// Every change gets a later time than the one before, even within a
        /// clock tick: a kernel that caches a listing compares it to tell.
        mutating func touch(after created: Timestamp) {
            modified = max(Timestamp.now().nanosecondsSinceEpoch, max(modified, created.nanosecondsSinceEpoch) + 1)
        }
    }

    /// What stat(2) reports that changes with the children: `nlink` counts
    /// subdirectories, and the modification time moves on with every entry
    /// added or removed, as kernfs moves its parent's times.
    public struct Status: Sendable {
        public let subdirectoryCount: Int
        public let modified: Timestamp
    }

    private let children = Locked(Children())
    private let populate: (@Sendable (Directory) -> [Node])?
    /// Runs before the first look inside (see `sysfsRoot(_:prepare:)`); nil for almost every directory.
    private let preparation: Preparation?
    /// True for a directory that stands for `/sys`: paths and symlinks below it are relative to it.
    public let isSysfsRoot: Bool

    /// Creates the root of a tree (inode 1) with its own event queue; it stands for `/sys`.
    public convenience init() {
        self.init(name: "", parent: nil, events: TreeEvents(), populate: nil, id: 1, isSysfsRoot: true)
    }

    init(name: String, parent: Directory?, events: TreeEvents,
         populate: (@Sendable (Directory) -> [Node])?, id: UInt64? = nil, isSysfsRoot: Bool = false,
         preparation: Preparation? = nil) {
        self.populate = populate
        self.isSysfsRoot = isSysfsRoot
        self.preparation = preparation
        super.init(name: name, parent: parent, events: events, kind: .directory, mode: 0o755, id: id)
    }

    /// Adds a subdirectory that stands for a `/sys` of its own (one host of several).
    /// `prepare`, if given, runs once before the first look inside it (a lookup,
    /// a listing, a stat) or `prepare()`, and fills it through the ordinary calls.
    @discardableResult
    public func sysfsRoot(_ name: String, prepare: (@Sendable (Directory) -> Void)? = nil) -> Directory {
        let directory = Directory(name: name, parent: self, events: events, populate: nil, isSysfsRoot: true,
                                  preparation: prepare.map(Preparation.init))
        insert(directory)
        return directory
    }

    /// Runs the directory's preparation now if it has one that has not run; returns once it has.
    public func prepare() {
        preparation?.run(on: self)
    }

    /// False only for a directory whose preparation has not run yet.
    public var isPrepared: Bool { preparation?.isDone ?? true }

    /// The tree's change queue (shared by every node below the same root).
    public var changes: TreeEvents { events }

    // MARK: Reading

    /// The child of that name; one inserted into a lazy directory is found without building the rest.
    public func child(_ name: String) -> Node? {
        if isRemoved { return nil }
        preparation?.run(on: self)
        return children.withLock { state in
            if !state.populated, let inserted = state.list.node(named: name) { return inserted }
            populateIfNeeded(&state)
            return state.list.node(named: name)
        }
    }

    /// The children in the order they were added.
    public func list() -> [Node] {
        if isRemoved { return [] }
        return withChildren { $0.list.nodes }
    }

    public var status: Status {
        withChildren { state in
            Status(subdirectoryCount: state.list.subdirectoryCount,
                   modified: state.modified == 0 ? created : Timestamp(nanosecondsSinceEpoch: state.modified))
        }
    }

    /// Resolves a relative path made of plain names (no `..`, no links).
    public func descendant(_ relativePath: String) -> Node? {
        var node: Node = self
        for component in relativePath.split(separator: "/") {
            guard let directory = node as? Directory,
                  let next = directory.child(String(component)) else { return nil }
            node = next
        }
        return node
    }

    // MARK: Building

    /// Adds a subdirectory, or returns the existing one of that name.
    @discardableResult
    public func directory(_ name: String, populate: (@Sendable (Directory) -> [Node])? = nil) -> Directory {
        if let existing = child(name) as? Directory { return existing }
        let directory = Directory(name: name, parent: self, events: events, populate: populate)
        insert(directory)
        return directory
    }

    /// Builds a subdirectory that is not yet attached, for use inside a `populate` closure.
    public func makeDirectory(_ name: String, populate: (@Sendable (Directory) -> [Node])? = nil) -> Directory {
        Directory(name: name, parent: self, events: events, populate: populate)
    }

    public func makeAttribute(_ name: String, mode: UInt16,
                              show: Attribute.Show? = nil, store: Attribute.Store? = nil) -> Attribute {
        Attribute(name: name, parent: self, events: events, mode: mode, show: show, store: store)
    }

    /// A read-only attribute whose value never changes, such as an ID the device was built with.
    public func makeAttribute(_ name: String, mode: UInt16, value: String) -> Attribute {
        let bytes = Array(value.utf8)
        return Attribute(name: name, parent: self, events: events, mode: mode, showBytes: { bytes }, store: nil)
    }

    /// An attribute whose `show` gives bytes, for values the kernel keeps verbatim.
    public func makeAttribute(_ name: String, mode: UInt16,
                              showBytes: @escaping Attribute.ShowBytes, store: Attribute.Store? = nil) -> Attribute {
        Attribute(name: name, parent: self, events: events, mode: mode, showBytes: showBytes, store: store)
    }

    public func makeBinaryAttribute(_ name: String, mode: UInt16, size: Int, unprivilegedSize: Int? = nil,
                                    read: BinaryAttribute.Read? = nil,
                                    write: BinaryAttribute.Write? = nil) -> BinaryAttribute {
        BinaryAttribute(name: name, parent: self, events: events, mode: mode, size: size,
                        unprivilegedSize: unprivilegedSize, read: read, write: write)
    }

    /// A symlink to `target`, an absolute path below the root; readlink gives it relative.
    public func makeSymlink(_ name: String, to target: String) -> Symlink {
        Symlink(name: name, parent: self, events: events, target: target)
    }

    @discardableResult
    public func attribute(_ name: String, mode: UInt16,
                          show: Attribute.Show? = nil, store: Attribute.Store? = nil) -> Attribute {
        let attribute = makeAttribute(name, mode: mode, show: show, store: store)
        insert(attribute)
        return attribute
    }

    @discardableResult
    public func binaryAttribute(_ name: String, mode: UInt16, size: Int,
                                read: BinaryAttribute.Read? = nil,
                                write: BinaryAttribute.Write? = nil) -> BinaryAttribute {
        let attribute = makeBinaryAttribute(name, mode: mode, size: size, read: read, write: write)
        insert(attribute)
        return attribute
    }

    @discardableResult
    public func symlink(_ name: String, to target: String) -> Symlink {
        let link = makeSymlink(name, to: target)
        insert(link)
        return link
    }

    /// Attaches a node built for this directory, replacing any node of the same name.
    /// A lazy directory stays unpopulated: the node joins its children when they are built.
    public func insert(_ node: Node) {
        precondition(node.parent === self, "a node is inserted into the directory it was built for")
        let replaced: Node? = children.withLock { state in
            state.touch(after: created)
            return state.list.put(node)
        }
        replaced?.markRemoved()
        // Checked after joining: a removal that has not seen the node yet has already set the flag.
        if isRemoved { node.markRemoved() }
        events.record(.init(parent: id, name: node.name, child: replaced?.id))
    }

    /// Detaches a child; open files on it then fail with ENODEV as in kernfs.
    @discardableResult
    public func remove(_ name: String) -> Node? {
        let removed: Node? = withChildren { state in
            let removed = state.list.remove(named: name)
            if removed != nil { state.touch(after: created) }
            return removed
        }
        guard let removed else { return nil }
        removed.markRemoved()
        events.record(.init(parent: id, name: name, child: removed.id))
        return removed
    }

    /// The children already built learn it too: one may outlive this
    /// directory (held open), and its parent link is weak.
    override func markRemoved() {
        super.markRemoved()
        for child in children.withLock({ $0.list.nodes }) { child.markRemoved() }
    }

    private func withChildren<T>(_ body: (inout Children) -> T) -> T {
        preparation?.run(on: self)
        return children.withLock { state in
            populateIfNeeded(&state)
            return body(&state)
        }
    }

    /// Built children come first; nodes inserted before first use follow, and
    /// replace a built child of the same name, as if inserted afterwards.
    private func populateIfNeeded(_ state: inout Children) {
        guard !state.populated else { return }
        state.populated = true
        guard let populate else { return }
        let inserted = state.list.nodes
        state.list = ChildList()
        for node in populate(self) {
            _ = state.list.put(node)
            if isRemoved { node.markRemoved() }
        }
        for node in inserted { _ = state.list.put(node) }
    }
}
