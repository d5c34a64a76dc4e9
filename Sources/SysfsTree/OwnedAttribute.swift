import SystemPackage

/// An attribute declared against the type of its owner, as the kernel's
/// `DEVICE_ATTR_RW(state)` pairs `state_show(dev, …)` with `state_store(dev, …)`:
///
/// ```swift
/// directory.makeAttributes(of: pool, [
///     .ro("size") { pool in "\(pool.size)" },
///     .rw("state", show: { $0.state }, store: { pool, input throws(Errno) in try pool.setState(input) }),
/// ])
/// ```
///
/// `show` returns the value without its newline; the attribute adds it.
/// The owner is held weakly: once it is gone every show and store fails
/// with ENODEV, so a table never keeps its owner alive nor checks for it.
public struct OwnedAttribute<Owner: AnyObject & Sendable>: Sendable {
    public typealias Show = @Sendable (Owner) throws(Errno) -> String
    public typealias Store = @Sendable (Owner, StoreInput) throws(Errno) -> Void

    public let name: String
    public let mode: UInt16
    let show: Show?
    let store: Store?

    public init(_ name: String, mode: UInt16, show: Show?, store: Store?) {
        self.name = name
        self.mode = mode
        self.show = show
        self.store = store
    }

    /// `DEVICE_ATTR_RO`: mode 0444 unless given.
    public static func ro(_ name: String, mode: UInt16 = 0o444, _ show: @escaping Show) -> Self {
        Self(name, mode: mode, show: show, store: nil)
    }

    /// `DEVICE_ATTR_RW`: mode 0644 unless given.
    public static func rw(_ name: String, mode: UInt16 = 0o644, show: @escaping Show, store: @escaping Store) -> Self {
        Self(name, mode: mode, show: show, store: store)
    }

    /// `DEVICE_ATTR_WO`: mode 0200 unless given.
    public static func wo(_ name: String, mode: UInt16 = 0o200, _ store: @escaping Store) -> Self {
        Self(name, mode: mode, show: nil, store: store)
    }
}

extension Directory {
    /// The attributes of `table`, bound to `owner` (held weakly), for a
    /// `populate` closure or `insert`.
    public func makeAttributes<Owner>(of owner: Owner, _ table: [OwnedAttribute<Owner>]) -> [Node] {
        let reference = WeakOwner(owner)
        return table.map { attribute in
            var show: Attribute.Show?
            if let ownerShow = attribute.show {
                show = { () throws(Errno) -> String in try ownerShow(try reference.owner()) + "\n" }
            }
            var store: Attribute.Store?
            if let ownerStore = attribute.store {
                store = { (input: StoreInput) throws(Errno) -> Void in try ownerStore(try reference.owner(), input) }
            }
            return makeAttribute(attribute.name, mode: attribute.mode, show: show, store: store)
        }
    }
}

/// The owner a table's attributes share.
private final class WeakOwner<Owner: AnyObject & Sendable>: Sendable {
    private weak let value: Owner?

    init(_ value: Owner) { self.value = value }

    func owner() throws(Errno) -> Owner {
        guard let value else { throw .noDevice }
        return value
    }
}
