import SystemPackage

/// What the management side can do with a sysfs tree: read and write
/// attributes, list and resolve paths. `FileAccess` is a mounted tree (or the
/// real `/sys`); `TreeAccess` is a model, for tests.
public protocol SysfsAccess: Sendable {
    /// One read of a whole attribute.
    func read(_ path: String) -> Result<String, Errno>
    /// One write(2) of `text`; the count written.
    func write(_ path: String, _ text: String) -> Result<Int, Errno>
    /// The names in a directory, in the order it lists them; nil if it is not one.
    func list(_ path: String) -> [String]?
    /// The path with every symlink followed (`readlink -f`); nil if it does not exist.
    func resolve(_ path: String) -> String?
}

extension SysfsAccess {
    public func exists(_ path: String) -> Bool { resolve(path) != nil }

    public func isDirectory(_ path: String) -> Bool { list(path) != nil }

    /// The value without its one trailing newline.
    public func value(_ path: String) -> Result<String, Errno> {
        read(path).map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }
}

/// Joins path components with one slash.
public func joinPath(_ base: String, _ name: String) -> String {
    base.hasSuffix("/") ? base + name : base + "/" + name
}

/// The last component of a path.
public func baseName(_ path: String) -> String {
    String(path.split(separator: "/").last ?? Substring(path))
}
