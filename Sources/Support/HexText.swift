/// Lowercase hex, zero-padded to `width` digits, as `%0Nx`.
public func hex(_ value: some BinaryInteger, _ width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Uppercase hex, zero-padded, as `%0NX`.
public func upperHex(_ value: some BinaryInteger, _ width: Int) -> String {
    hex(value, width).uppercased()
}

/// `%0Nx`: lowercase hex, zero-padded to `digits`, as drivers print IDs.
public func lowercaseHex(_ value: some BinaryInteger, digits: Int) -> String {
    hex(value, digits)
}
