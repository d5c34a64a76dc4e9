import CFuse3
import SystemPackage
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// What the callbacks do besides serving the tree: injected faults and the access trace.
extension FuseServer {
    /// Consults the fault plan for `operation` on `node`. A matching fault's delay
    /// is slept here; when it also fails the operation, this replies with its
    /// errno, traces it, and returns true: the callback must then return at once.
    func injectFault(_ request: fuse_req_t?, _ operation: FuseOperation, on node: Node) -> Bool {
        if faults.isEmpty { return false }
        return injectFault(request, operation, path: node.path, host: node.hostName)
    }

    /// The same for a name looked up in `directory`, which need not exist.
    func injectFault(_ request: fuse_req_t?, _ operation: FuseOperation, in directory: Directory, name: String) -> Bool {
        if faults.isEmpty { return false }
        return injectFault(request, operation, path: directory.childPath(name), host: directory.hostName)
    }

    private func injectFault(_ request: fuse_req_t?, _ operation: FuseOperation, path: String, host: String?) -> Bool {
        guard let decision = faults.decide(operation, host: host, path: path),
              let error = FaultPlan.apply(decision) else { return false }
        if let trace = options.trace {
            var record = traceRecord(request, operation.rawValue, path: path, host: host)
            record.errno = error
            record.fault = true
            trace.record(record)
        }
        fuse_reply_err(request, error)
        return true
    }

    // MARK: Trace records, one per significant operation (nothing without a trace)

    func traceLookup(_ request: fuse_req_t?, in directory: Directory, name: String, found: Node?) {
        guard let trace = options.trace, trace.includeLookups else { return }
        var record = traceRecord(request, "lookup", path: directory.childPath(name), host: directory.hostName)
        record.errno = found == nil ? ENOENT : 0
        trace.record(record)
    }

    func traceGetattr(_ request: fuse_req_t?, node: Node) {
        guard let trace = options.trace, trace.includeLookups else { return }
        trace.record(traceRecord(request, "getattr", node: node))
    }

    func traceReadlink(_ request: fuse_req_t?, link: Symlink, target: String) {
        guard let trace = options.trace else { return }
        var record = traceRecord(request, "readlink", node: link)
        record.value = target
        trace.record(record)
    }

    /// Opens for writing always; opens for reading only with `includeLookups`.
    func traceOpen(_ request: fuse_req_t?, node: Node, read: Bool, write: Bool, errno: Int32) {
        guard let trace = options.trace, write || trace.includeLookups else { return }
        var record = traceRecord(request, "open", node: node)
        record.mode = read ? (write ? "rw" : "r") : "w"
        record.errno = errno
        trace.record(record)
    }

    /// One record per `show` (a text read at offset 0), per binary read, and per failure.
    func traceRead(_ request: fuse_req_t?, node: Node, offset: Int, result: Result<Int, Errno>) {
        guard let trace = options.trace else { return }
        var record = traceRecord(request, "read", node: node)
        switch result {
        case .success(let count): record.length = count
        case .failure(let error): record.errno = error.rawValue
        }
        if offset != 0 { record.offset = offset }
        if offset == 0 || node is BinaryAttribute || record.errno != 0 { trace.record(record) }
    }

    func traceWrite(_ request: fuse_req_t?, node: Node, bytes: UnsafeRawBufferPointer, offset: Int,
                    result: Result<Int, Errno>, reasons: [String]) {
        guard let trace = options.trace else { return }
        var record = traceRecord(request, "write", node: node)
        record.value = String(decoding: bytes.prefix(Attribute.pageSize), as: UTF8.self)
        record.length = bytes.count
        if offset != 0 { record.offset = offset }
        if case .failure(let error) = result { record.errno = error.rawValue }
        record.reason = reasons
        trace.record(record)
    }

    func traceReaddir(_ request: fuse_req_t?, directory: Directory) {
        options.trace?.record(traceRecord(request, "readdir", node: directory))
    }

    /// A record for `operation` on `node` with the caller filled in.
    func traceRecord(_ request: fuse_req_t?, _ operation: String, node: Node) -> TraceRecord {
        traceRecord(request, operation, path: node.path, host: node.hostName)
    }

    /// Whether the process behind `request` holds CAP_SYS_ADMIN; by its uid when its status cannot be read.
    func callerHasSysAdmin(_ request: fuse_req_t?) -> Bool {
        guard let context = fuse_req_ctx(request) else { return false }
        return RequestCaller.hasSysAdmin(thread: context.pointee.pid) ?? (context.pointee.uid == 0)
    }

    func traceRecord(_ request: fuse_req_t?, _ operation: String, path: String, host: String?) -> TraceRecord {
        var record = TraceRecord(operation: operation, path: path, host: host)
        if let context = fuse_req_ctx(request) {
            let caller = RequestCaller(thread: context.pointee.pid)
            record.pid = caller.pid
            record.command = caller.command
        }
        return record
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
