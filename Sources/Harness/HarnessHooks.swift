import FuseServer
import KernelCore
import SysfsTree
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// What the harness adds to every FUSE request: the faults in force, the
/// access trace, and a rate-limited log line for each failed read or write
/// (the kernel itself logs nothing for them; a driver says why in its own line).
public final class HarnessHooks: RequestHooks {
    public let faults: FaultPlan
    public let trace: AccessTrace?
    private let log: @Sendable (String) -> Void
    private let failedReads = LogRateLimit()
    private let failedWrites = LogRateLimit()

    public init(faults: FaultPlan = FaultPlan(), trace: AccessTrace? = nil, log: @escaping @Sendable (String) -> Void) {
        self.faults = faults
        self.trace = trace
        self.log = log
    }

    public var cachingAllowed: Bool { faults.isEmpty }

    public func before(_ request: FuseRequest) -> Int32? {
        if faults.isEmpty { return nil }
        let (path, host) = request.place
        guard let decision = faults.decide(request.operation, host: host, path: path) else { return nil }
        var error = decision.errno
        switch request.pause(milliseconds: decision.delayMilliseconds, wakeups: faults.wakeups) {
        case .elapsed, .skipped: break
        case .interrupted: error = EINTR
        case .woken: error = nil
        }
        guard let error else { return nil }
        if let trace {
            var record = TraceRecord(request, path: path, host: host)
            record.errno = error
            record.fault = true
            trace.record(record)
        }
        return error
    }

    public func after(_ request: FuseRequest, _ outcome: RequestOutcome) {
        if outcome.errno != 0 { logFailure(request, outcome) }
        guard let trace, trace.keeps(request, outcome) else { return }
        let (path, host) = request.place
        var record = TraceRecord(request, path: path, host: host)
        record.errno = outcome.errno
        switch request.operation {
        case .open:
            record.mode = outcome.access?.rawValue
        case .read:
            if outcome.errno == 0 { record.length = outcome.length }
            if outcome.offset != 0 { record.offset = outcome.offset }
        case .write:
            record.value = outcome.written.map { String(decoding: $0, as: UTF8.self) }
            record.length = outcome.length
            if outcome.offset != 0 { record.offset = outcome.offset }
            record.explain(outcome.reasons)
        case .readlink:
            record.value = outcome.target
        case .lookup, .getattr, .readdir:
            break
        }
        trace.record(record)
    }

    private func logFailure(_ request: FuseRequest, _ outcome: RequestOutcome) {
        let error = Errno(rawValue: outcome.errno)
        switch request.operation {
        case .read:
            failedReads.log("read \(request.place.path): \(error)", name: "read", to: log)
        case .write where outcome.reasons.isEmpty:
            // A store that said why in the kernel log needs no second line.
            failedWrites.log("write \(request.place.path) (\(outcome.length ?? 0) bytes): \(error)", name: "write", to: log)
        default:
            break
        }
    }
}

extension AccessTrace {
    /// Lookups, getattrs and opens for reading only with `includeLookups`; everything else the bridge reports.
    func keeps(_ request: FuseRequest, _ outcome: RequestOutcome) -> Bool {
        switch request.operation {
        case .lookup, .getattr: return includeLookups
        case .open: return includeLookups || outcome.access != .read
        case .read, .write, .readdir, .readlink: return true
        }
    }
}

extension TraceRecord {
    /// A record of `request` with its caller filled in.
    init(_ request: FuseRequest, path: String, host: String?) {
        self.init(operation: request.operation.rawValue, path: path, host: host)
        let caller = RequestCaller(thread: request.callerThread)
        pid = caller.pid
        command = caller.command
    }
}

extension FuseRequest {
    /// The canonical path the request is about, and its host in a multi-host tree.
    var place: (path: String, host: String?) {
        switch subject {
        case .node(let node): return (node.path, node.hostName)
        case .name(let name, let directory): return (directory.childPath(name), directory.hostName)
        }
    }
}

extension Node {
    /// The host a node belongs to in a multi-host tree (the name of its `/sys`
    /// directory below the mount's top), or nil in a single-host tree.
    var hostName: String? {
        var node: Node? = self
        while let current = node {
            if let directory = current as? Directory, directory.isSysfsRoot {
                return directory.parent == nil ? nil : directory.name
            }
            node = current.parent
        }
        return nil
    }
}

extension Directory {
    /// The path a child called `name` has or would have.
    func childPath(_ name: String) -> String {
        let base = path
        return base == "/" ? "/" + name : base + "/" + name
    }
}
