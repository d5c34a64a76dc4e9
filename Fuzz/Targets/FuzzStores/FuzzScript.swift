/// Reads the fuzzer's bytes as a sequence of operations and their payloads.
struct FuzzScript {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    mutating func next() -> UInt8? {
        guard let byte = bytes.first else { return nil }
        bytes = bytes.dropFirst()
        return byte
    }

    /// A payload: a length byte, then that many bytes; 255 means one page and more.
    mutating func payload() -> [UInt8] {
        guard let length = next() else { return [] }
        if length == 255 {
            let filler = next() ?? 0x31
            return [UInt8](repeating: filler, count: 4096 + Int(next() ?? 0))
        }
        let taken = Array(bytes.prefix(Int(length)))
        bytes = bytes.dropFirst(taken.count)
        return taken
    }
}
