import SystemPackage
import MigrationCheck
import SysfsTree

/// A model tree, addressed by paths below its root such as `/bus/pci/devices`.
public struct TreeAccess: SysfsAccess {
    public let root: Directory

    public init(root: Directory) { self.root = root }

    public func read(_ path: String) -> Result<String, Errno> {
        guard let node = root.resolve(path) else { return .failure(.noSuchFileOrDirectory) }
        guard let attribute = node as? Attribute else { return .failure(node is Directory ? .isDirectory : .ioError) }
        return Result { () throws(Errno) in String(decoding: try attribute.read(), as: UTF8.self) }
    }

    public func write(_ path: String, _ text: String) -> Result<Int, Errno> {
        guard let node = root.resolve(path) else { return .failure(.noSuchFileOrDirectory) }
        guard let attribute = node as? Attribute else { return .failure(node is Directory ? .isDirectory : .ioError) }
        guard attribute.mode & 0o222 != 0 else { return .failure(.permissionDenied) }
        return Result { () throws(Errno) in try attribute.write(Array(text.utf8)) }
    }

    public func list(_ path: String) -> [String]? {
        (root.resolve(path) as? Directory)?.list().map(\.name)
    }

    public func resolve(_ path: String) -> String? {
        root.resolve(path)?.path
    }
}
