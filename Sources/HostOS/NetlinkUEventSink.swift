import KernelCore
import Support
import SysfsTree
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Broadcasts each uevent as udevd would, on NETLINK_KOBJECT_UEVENT group 2,
/// so libudev monitors (libvirt's node-device driver, `udevadm monitor --udev`)
/// see devices come and go.
///
/// The socket belongs to the network namespace of the thread that creates the
/// sink, and netlink multicast never leaves a namespace. The sink therefore
/// refuses to exist anywhere but in a private namespace, so that the host's
/// own udev listeners can never receive a simulated device.
public final class NetlinkUEventSink: UEventSink, @unchecked Sendable {
    public enum Refusal: Error, CustomStringConvertible {
        case unreadableNamespace(Errno)
        case sameAsOrigin(NetworkNamespace)
        case sameAsInit(NetworkNamespace)
        case notFresh(interfaces: [String], loopbackUp: Bool)
        case socket(Errno)

        public var description: String {
            switch self {
            case .unreadableNamespace(let error):
                return "cannot identify this thread's network namespace: \(error)"
            case .sameAsOrigin(let namespace):
                return "refusing to send uevents in \(namespace): it is the namespace this process started in"
            case .sameAsInit(let namespace):
                return "refusing to send uevents in \(namespace): it is the host's (PID 1's) namespace"
            case .notFresh(let interfaces, let loopbackUp):
                return "refusing to send uevents: PID 1's network namespace cannot be read, and this one does not "
                    + "look freshly made (interfaces: \(interfaces.joined(separator: ", ")); loopback "
                    + (loopbackUp ? "up" : "down") + ")"
            case .socket(let error):
                return "cannot open a NETLINK_KOBJECT_UEVENT socket: \(error)"
            }
        }
    }

    private static let netlinkKobjectUEvent: Int32 = 15

    private let fd: Int32
    private let log: @Sendable (String) -> Void
    /// The last SEQNUM sent; held while sending, so listeners see them in order.
    private let sequence = Locked<UInt64>(0)

    /// Opens the socket in the calling thread's network namespace, which must
    /// differ from `origin` (the namespace the caller was in before it
    /// unshared) and from PID 1's. Where PID 1's namespace cannot be read, the
    /// namespace must look freshly made instead: loopback only, and down.
    public init(outsideOf origin: NetworkNamespace,
                log: @escaping @Sendable (String) -> Void = { _ in }) throws(Refusal) {
        try Self.checkPrivate(outsideOf: origin)
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.netlinkKobjectUEvent)
        guard fd >= 0 else { throw .socket(Errno(rawValue: errno)) }
        self.fd = fd
        self.log = log
    }

    deinit {
        close(fd)
    }

    static func checkPrivate(outsideOf origin: NetworkNamespace) throws(Refusal) {
        let current: NetworkNamespace
        switch NetworkNamespace.ofCurrentThread() {
        case .success(let namespace): current = namespace
        case .failure(let error): throw .unreadableNamespace(error)
        }
        guard current != origin else { throw .sameAsOrigin(current) }
        switch NetworkNamespace.of(path: "/proc/1/ns/net") {
        case .success(let initial):
            guard current != initial else { throw .sameAsInit(current) }
        case .failure:
            let interfaces = NetworkNamespace.interfaceNames()
            let loopbackUp = NetworkNamespace.loopbackIsUp()
            guard interfaces == ["lo"], !loopbackUp else {
                throw .notFresh(interfaces: interfaces, loopbackUp: loopbackUp)
            }
        }
    }

    public func emit(_ event: UEvent) {
        sequence.withLock { seqnum in
            seqnum += 1
            send(UdevMonitorMessage.encode(event, seqnum: seqnum), describing: event)
        }
    }

    private func send(_ message: [UInt8], describing event: UEvent) {
        // struct sockaddr_nl: family, pad, port id 0 (no single receiver), groups.
        var address = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: UInt16(AF_NETLINK)) { address.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: UdevMonitorMessage.udevGroup) { address.replaceSubrange(8..<12, with: $0) }
        let sent = message.withUnsafeBytes { body in
            address.withUnsafeBytes { raw in
                sendto(fd, body.baseAddress, body.count, 0,
                       raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
        }
        // The kernel answers a multicast with ECONNREFUSED as well: no kernel-side receiver.
        if sent < 0 && errno != ECONNREFUSED {
            log("uevent \(event.action.rawValue) \(event.devpath): \(Errno(rawValue: errno))")
        }
    }
}
