/// `%0Nx`: lowercase hex, zero-padded to `digits`, as drivers print IDs.
public func lowercaseHex(_ value: some BinaryInteger, digits: Int) -> String {
    hex(value, digits)
}
