import SystemPackage

/// A sysfs binary attribute (`struct bin_attribute`), such as PCI `config`:
/// a fixed size and positional reads and writes.
public final class BinaryAttribute: Node, @unchecked Sendable {
    public typealias Read = @Sendable (_ offset: Int, _ count: Int) throws(Errno) -> [UInt8]
    public typealias Write = @Sendable (_ offset: Int, _ bytes: [UInt8]) throws(Errno) -> Int

    public let size: Int
    /// How much an opener without CAP_SYS_ADMIN may read (PCI `config`: 64
    /// bytes, `pci_read_config`); nil when everyone reads all of it.
    public let unprivilegedSize: Int?
    let readHandler: Read?
    let writeHandler: Write?

    init(name: String, parent: Directory?, events: TreeEvents, mode: UInt16, size: Int, unprivilegedSize: Int? = nil,
         read: Read?, write: Write?) {
        self.size = size
        self.unprivilegedSize = unprivilegedSize
        self.readHandler = read
        self.writeHandler = write
        super.init(name: name, parent: parent, events: events, kind: .binaryAttribute, mode: mode)
    }

    /// Reads are clipped to the attribute's size, as `sysfs_kf_bin_read` does,
    /// or to `unprivilegedSize` for an opener that is not `privileged`.
    public func read(offset: Int, count: Int, privileged: Bool = true) throws(Errno) -> [UInt8] {
        guard let readHandler else { throw .ioError }
        guard offset >= 0, count >= 0 else { throw .invalidArgument }
        let size = privileged ? size : unprivilegedSize ?? size
        if size > 0 && offset >= size { return [] }
        let clipped = size > 0 ? min(count, size - offset) : count
        if clipped == 0 { return [] }
        return try readHandler(offset, clipped)
    }

    /// Writes past the end fail with EFBIG, as `sysfs_kf_bin_write` does.
    public func write(offset: Int, bytes: [UInt8]) throws(Errno) -> Int {
        guard let writeHandler else { throw .ioError }
        guard offset >= 0 else { throw .invalidArgument }
        if size > 0 && offset >= size { throw .fileTooLarge }
        let clipped = size > 0 ? Array(bytes.prefix(size - offset)) : bytes
        if clipped.isEmpty { return 0 }
        return try writeHandler(offset, clipped)
    }
}
