import SystemPackage

/// A sysfs text attribute: a mode and a `show`/`store` pair, as `struct device_attribute`.
///
/// `show` produces the whole value (at most 4095 bytes are served, as sysfs
/// clamps at PAGE_SIZE - 1). `store` receives one write(2)'s bytes and either
/// accepts all of them or throws the errno the writer sees.
public final class Attribute: Node, @unchecked Sendable {
    public typealias Show = @Sendable () throws(Errno) -> String
    /// A `show` whose value is bytes that need not be UTF-8 (a stored user string).
    public typealias ShowBytes = @Sendable () throws(Errno) -> [UInt8]
    public typealias Store = @Sendable (StoreInput) throws(Errno) -> Void

    let showHandler: ShowBytes?
    let storeHandler: Store?

    /// sysfs reports PAGE_SIZE as the size of every text attribute.
    public static let pageSize = 4096

    init(name: String, parent: Directory?, events: TreeEvents, mode: UInt16, show: Show?, store: Store?) {
        if let show {
            self.showHandler = { () throws(Errno) -> [UInt8] in Array(try show().utf8) }
        } else {
            self.showHandler = nil
        }
        self.storeHandler = store
        super.init(name: name, parent: parent, events: events, kind: .attribute, mode: mode)
    }

    init(name: String, parent: Directory?, events: TreeEvents, mode: UInt16, showBytes: @escaping ShowBytes,
         store: Store?) {
        self.showHandler = showBytes
        self.storeHandler = store
        super.init(name: name, parent: parent, events: events, kind: .attribute, mode: mode)
    }

    /// The value as read(2) sees it: EIO when there is no `show`, at most 4095 bytes.
    public func read() throws(Errno) -> [UInt8] {
        guard let showHandler else { throw .ioError }
        let bytes = try showHandler()
        return bytes.count < Attribute.pageSize ? bytes : Array(bytes.prefix(Attribute.pageSize - 1))
    }

    /// One write(2): capped at 4096 bytes; returns the count accepted.
    public func write(_ bytes: [UInt8]) throws(Errno) -> Int {
        if bytes.isEmpty { return 0 }
        guard let storeHandler else { throw .ioError }
        let input = StoreInput(bytes.count > Attribute.pageSize ? Array(bytes.prefix(Attribute.pageSize)) : bytes)
        try storeHandler(input)
        return input.count
    }
}
