import Synchronization
import SystemPackage
import Testing
import SysfsTree

/// Attributes declared against their owner: the owner passed in, the newline added, ENODEV once it is gone.
@Suite struct OwnedAttributeTests {
    private final class Pool: Sendable {
        let size = Mutex(4)
    }

    private let root = Directory()

    private func table(_ pool: Pool) -> [Node] {
        root.makeAttributes(of: pool, [
            .ro("capacity") { _ in "16" },
            .rw("size", show: { pool in "\(pool.size.withLock { $0 })" }, store: { pool, input throws(Errno) in
                let size = try input.unsignedInteger(max: 16)
                pool.size.withLock { $0 = Int(size) }
            }),
            .wo("reset") { pool, _ in pool.size.withLock { $0 = 0 } },
        ])
    }

    private func read(_ node: Node) -> Result<String, Errno> {
        guard let attribute = node as? Attribute else { return .failure(.isDirectory) }
        return Result { () throws(Errno) in String(decoding: try attribute.read(), as: UTF8.self) }
    }

    private func write(_ node: Node, _ text: String) -> Result<Int, Errno> {
        guard let attribute = node as? Attribute else { return .failure(.isDirectory) }
        return Result { () throws(Errno) in try attribute.write(Array(text.utf8)) }
    }

    @Test func showsAndStoresThroughTheOwnerWithTheKernelsModes() {
        let pool = Pool()
        let nodes = table(pool)
        #expect(nodes.map(\.name) == ["capacity", "size", "reset"])
        #expect(nodes.map(\.mode) == [0o444, 0o644, 0o200])
        #expect(read(nodes[0]) == .success("16\n"))
        #expect(read(nodes[1]) == .success("4\n"))
        #expect(write(nodes[1], "9\n") == .success(2))
        #expect(read(nodes[1]) == .success("9\n"))
        #expect(write(nodes[1], "17") == .failure(.outOfRange))
        #expect(write(nodes[2], "1") == .success(1))
        #expect(read(nodes[1]) == .success("0\n"))
        #expect(read(nodes[2]) == .failure(.ioError))
        #expect(write(nodes[0], "1") == .failure(.ioError))
    }

    @Test func aGoneOwnerIsENODEVAndIsNotKeptAlive() {
        var pool: Pool? = Pool()
        weak let weakPool = pool
        let nodes = pool.map(table) ?? []
        pool = nil
        #expect(weakPool == nil)
        #expect(read(nodes[1]) == .failure(.noDevice))
        #expect(write(nodes[1], "3") == .failure(.noDevice))
    }
}
