import CFuse3
import SysfsTree

/// The filesystem operations a hook sees, as FUSE names them.
public enum FuseOperation: String, Sendable, CaseIterable, Comparable {
    case lookup, getattr, open, read, write, readdir, readlink

    public static func < (lhs: FuseOperation, rhs: FuseOperation) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// What a server's user adds to every request: a say before it is served,
/// and a look at how it ended. The bridge calls `before` once per lookup,
/// getattr, open, opendir, readlink, readdir, write, binary read and text
/// read at offset 0 (where `show` runs), and `after` once it is served, just
/// before the reply goes out (a caller that has its answer finds it recorded).
public protocol RequestHooks: Sendable {
    /// nil serves the request; an errno fails it with that errno. It may
    /// hold the request with `request.pause`.
    func before(_ request: FuseRequest) -> Int32?
    func after(_ request: FuseRequest, _ outcome: RequestOutcome)
    /// False while every lookup, getattr and listing must reach the server:
    /// replies then carry no cache time, and when this turns false the
    /// kernel is told to forget what it holds.
    var cachingAllowed: Bool { get }
}

/// One request, as hooks see it.
public struct FuseRequest {
    /// What the request is about: a node, or for a lookup a name that may not exist.
    public enum Subject {
        case node(Node)
        case name(String, in: Directory)
    }

    public let operation: FuseOperation
    public let subject: Subject
    let request: fuse_req_t?
    let pauses: RequestPauses

    init(_ operation: FuseOperation, _ subject: Subject, request: fuse_req_t?, pauses: RequestPauses) {
        self.operation = operation
        self.subject = subject
        self.request = request
        self.pauses = pauses
    }

    /// A request that reaches no kernel (for exercising hooks): it cannot pause.
    public init(_ operation: FuseOperation, _ subject: Subject) {
        self.init(operation, subject, request: nil, pauses: RequestPauses(workers: 1))
    }

    /// The node the request is about; nil for the lookup of a name.
    public var node: Node? {
        if case .node(let node) = subject { return node }
        return nil
    }

    /// The calling thread, as FUSE reports it; 0 when unknown.
    public var callerThread: Int32 { fuse_req_ctx(request)?.pointee.pid ?? 0 }

    /// Holds the request for up to `milliseconds`. The wait ends early when
    /// the caller is interrupted (a signal, or it was killed), or when
    /// `wakeups` is woken. It is skipped when it would take the last worker
    /// that is not waiting: that worker is what reads interrupts and other
    /// requests.
    public func pause(milliseconds: Int, wakeups: PauseWakeups) -> PauseEnd {
        pauses.pause(request, milliseconds: milliseconds, wakeups: wakeups)
    }
}

/// How a request ended, for `RequestHooks.after`.
public struct RequestOutcome: Sendable {
    public enum Access: String, Sendable {
        case read = "r", write = "w", readWrite = "rw"
    }

    /// 0 on success.
    public var errno: Int32 = 0
    /// `read`: the bytes returned; `write`: the bytes offered.
    public var length: Int?
    /// The file offset of a read or write.
    public var offset = 0
    /// `open`: the access asked for.
    public var access: Access?
    /// `write`: the bytes offered (up to a page for a text attribute).
    public var written: [UInt8]?
    /// `readlink`: the target.
    public var target: String?
    /// What the kernel core or driver logged while serving it.
    public var reasons: [String] = []

    public init(errno: Int32 = 0) { self.errno = errno }
}
