import SystemPackage

/// The bytes of one write(2) as a sysfs `store()` sees them: at most 4096
/// bytes, with `count` including any trailing newline. Like the kernel's
/// NUL-terminated copy, `text` ends at the first NUL byte.
public struct StoreInput: Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ bytes: some Collection<UInt8>) { self.bytes = Array(bytes) }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    public var count: Int { bytes.count }

    /// The C string the kernel would parse: up to the first NUL.
    public var cString: ArraySlice<UInt8> {
        bytes.firstIndex(of: 0).map { bytes[..<$0] } ?? bytes[...]
    }

    /// The C string as text (invalid UTF-8 replaced).
    public var text: String { String(decoding: cString, as: UTF8.self) }

    /// The text without one trailing newline, the way most stores read a value.
    public var value: String {
        var slice = cString
        if slice.last == UInt8(ascii: "\n") { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    /// `kstrtoul(buf, base, &v)`: optional `+`, base prefix when base is 0, one trailing newline.
    public func unsignedInteger(base: Int = 0, max: UInt64 = .max) throws(Errno) -> UInt64 {
        try KernelParsing.unsignedInteger(cString, base: base, max: max)
    }

    /// `kstrtobool`: y/Y/1/on true, n/N/0/off false.
    public func boolean() throws(Errno) -> Bool {
        try KernelParsing.boolean(cString)
    }

    /// `sysfs_streq`: equal, or differing only by one trailing newline on either side.
    public func streq(_ other: String) -> Bool {
        KernelParsing.streq(cString, Array(other.utf8)[...])
    }
}

extension Errno {
    /// ENODEV, the kernel's answer for a device that is gone or cannot do this.
    public static var noDevice: Errno { .operationNotSupportedByDevice }
}
