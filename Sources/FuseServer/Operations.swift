import CFuse3
import SystemPackage
import SysfsTree
#if canImport(Glibc)
import Glibc
#endif

/// The libfuse low-level callbacks. Each one finds the server through the
/// request's userdata, does its work without trapping, and replies exactly once.
extension FuseServer {
    static func operations() -> fuse_lowlevel_ops {
        var ops = fuse_lowlevel_ops()
        ops.`init` = { userdata, connection in
            guard let connection else { return }
            cfuse_want(connection, UInt32(FUSE_CAP_ATOMIC_O_TRUNC))
            // A cached listing is checked against the directory's mtime, fetched afresh once invalidated.
            cfuse_want(connection, UInt32(FUSE_CAP_AUTO_INVAL_DATA))
            cfuse_no_want(connection, UInt32(FUSE_CAP_READDIRPLUS))
            _ = userdata
        }
        ops.lookup = { request, parent, name in
            FuseServer.serve(request) { server in server.lookup(request, parent: parent, name: name) }
        }
        ops.forget = { request, inode, lookups in
            _ = FuseServer.borrow(request) { server in server.inodes.forget(inode, lookups: lookups) }
            fuse_reply_none(request)
        }
        ops.forget_multi = { request, count, forgets in
            if let forgets {
                _ = FuseServer.borrow(request) { server in
                    for index in 0..<count {
                        server.inodes.forget(forgets[index].ino, lookups: forgets[index].nlookup)
                    }
                }
            }
            fuse_reply_none(request)
        }
        ops.getattr = { request, inode, _ in
            FuseServer.serve(request) { server in server.getattr(request, inode: inode) }
        }
        ops.setattr = { request, inode, attributes, toSet, _ in
            FuseServer.serve(request) { server in server.setattr(request, inode: inode, toSet: toSet) }
        }
        ops.readlink = { request, inode in
            FuseServer.serve(request) { server in server.readlink(request, inode: inode) }
        }
        ops.open = { request, inode, info in
            FuseServer.serve(request) { server in server.open(request, inode: inode, info: info) }
        }
        ops.read = { request, inode, size, offset, info in
            FuseServer.serve(request) { server in server.read(request, size: size, offset: offset, info: info) }
        }
        ops.write = { request, inode, buffer, size, offset, info in
            FuseServer.serve(request) { server in server.write(request, buffer: buffer, size: size, offset: offset, info: info) }
        }
        ops.release = { request, _, info in
            if let info { OpenHandles.release(cfuse_file_handle(info)) }
            fuse_reply_err(request, 0)
        }
        ops.opendir = { request, inode, info in
            FuseServer.serve(request) { server in server.opendir(request, inode: inode, info: info) }
        }
        ops.readdir = { request, _, size, offset, info in
            FuseServer.serve(request) { server in server.readdir(request, size: size, offset: offset, info: info) }
        }
        ops.releasedir = { request, _, info in
            if let info { OpenHandles.release(cfuse_file_handle(info)) }
            fuse_reply_err(request, 0)
        }
        ops.listxattr = { request, inode, size in
            FuseServer.serve(request) { server in server.listxattr(request, inode: inode, size: size) }
        }
        ops.statfs = { request, _ in
            var info = statvfs()
            info.f_bsize = 4096
            info.f_frsize = 4096
            info.f_namemax = 255
            fuse_reply_statfs(request, &info)
        }
        // sysfs has no create, mkdir, unlink, rmdir, rename, link or mknod:
        // O_CREAT of a missing name is EACCES, the others EPERM (kernfs, VFS).
        ops.create = { request, _, _, _, _ in fuse_reply_err(request, EACCES) }
        ops.mknod = { request, _, _, _, _ in fuse_reply_err(request, EPERM) }
        ops.mkdir = { request, _, _, _ in fuse_reply_err(request, EPERM) }
        ops.unlink = { request, _, _ in fuse_reply_err(request, EPERM) }
        ops.rmdir = { request, _, _ in fuse_reply_err(request, EPERM) }
        ops.symlink = { request, _, _, _ in fuse_reply_err(request, EPERM) }
        ops.rename = { request, _, _, _, _, _ in fuse_reply_err(request, EPERM) }
        ops.link = { request, _, _, _ in fuse_reply_err(request, EPERM) }
        return ops
    }

    /// The server outlives its session, so a callback borrows it without a
    /// retain and release: every worker would otherwise bounce its reference
    /// count. False when the request carries no server.
    private static func borrow(_ request: fuse_req_t?, _ body: (FuseServer) -> Void) -> Bool {
        guard let userdata = fuse_req_userdata(request) else { return false }
        Unmanaged<FuseServer>.fromOpaque(userdata)._withUnsafeGuaranteedRef(body)
        return true
    }

    private static func serve(_ request: fuse_req_t?, _ body: (FuseServer) -> Void) {
        if !borrow(request, body) { fuse_reply_err(request, EIO) }
    }

    // MARK: Hooks

    /// Asks the hooks about `operation` on `subject`; when they fail it, this
    /// replies with their errno and returns nil: the callback must return at once.
    private func admit(_ request: fuse_req_t?, _ operation: FuseOperation,
                       _ subject: FuseRequest.Subject) -> FuseRequest? {
        let described = FuseRequest(operation, subject, request: request, pauses: pauses)
        guard let hooks, let error = hooks.before(described) else { return described }
        fuse_reply_err(request, error)
        return nil
    }

    private func finish(_ request: FuseRequest, _ outcome: RequestOutcome) {
        hooks?.after(request, outcome)
    }

    // MARK: Names and attributes

    func entry(for node: Node) -> fuse_entry_param {
        var entry = fuse_entry_param()
        entry.ino = inodes.inode(of: node)
        entry.generation = 1
        entry.attr = node.statBuffer(inode: entry.ino)
        entry.attr_timeout = cacheTimeout
        entry.entry_timeout = cacheTimeout
        return entry
    }

    func lookup(_ request: fuse_req_t?, parent: fuse_ino_t, name: UnsafePointer<CChar>?) {
        guard let name, let directory = inodes.node(parent) as? Directory else {
            fuse_reply_err(request, ENOENT)
            return
        }
        let childName = String(cString: name)
        guard let described = admit(request, .lookup, .name(childName, in: directory)) else { return }
        guard let child = directory.child(childName) else {
            finish(described, RequestOutcome(errno: ENOENT))
            fuse_reply_err(request, ENOENT)
            return
        }
        var reply = entry(for: child)
        inodes.remember(child)
        finish(described, RequestOutcome())
        if fuse_reply_entry(request, &reply) != 0 {
            inodes.forget(reply.ino, lookups: 1)
        }
    }

    func getattr(_ request: fuse_req_t?, inode: fuse_ino_t) {
        guard let node = inodes.node(inode) else {
            fuse_reply_err(request, ENOENT)
            return
        }
        guard let described = admit(request, .getattr, .node(node)) else { return }
        var buffer = node.statBuffer(inode: inode)
        finish(described, RequestOutcome())
        fuse_reply_attr(request, &buffer, cacheTimeout)
    }

    /// Truncation (any size, as the `O_TRUNC` of `echo >`) and timestamp
    /// updates succeed as no-ops, as in sysfs; changing owner or mode is refused.
    func setattr(_ request: fuse_req_t?, inode: fuse_ino_t, toSet: Int32) {
        guard let node = inodes.node(inode) else {
            fuse_reply_err(request, ENOENT)
            return
        }
        if toSet & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID) != 0 {
            fuse_reply_err(request, EPERM)
            return
        }
        var buffer = node.statBuffer(inode: inode)
        fuse_reply_attr(request, &buffer, cacheTimeout)
    }

    func readlink(_ request: fuse_req_t?, inode: fuse_ino_t) {
        guard let link = inodes.node(inode) as? Symlink else {
            fuse_reply_err(request, EINVAL)
            return
        }
        guard let described = admit(request, .readlink, .node(link)) else { return }
        let target = link.relativeTarget
        var outcome = RequestOutcome()
        outcome.target = target
        finish(described, outcome)
        _ = fuse_reply_readlink(request, target)
    }

    // MARK: Files

    /// kernfs refuses, even to root, a write open of a file with no write bit
    /// and a read open of a file with no read bit.
    func open(_ request: fuse_req_t?, inode: fuse_ino_t, info: UnsafeMutablePointer<fuse_file_info>?) {
        guard let info, let node = inodes.node(inode) else {
            fuse_reply_err(request, ENOENT)
            return
        }
        if node.isRemoved {
            fuse_reply_err(request, ENOENT)
            return
        }
        guard let described = admit(request, .open, .node(node)) else { return }
        let access = cfuse_file_flags(info) & O_ACCMODE
        let wantsRead = access == O_RDONLY || access == O_RDWR
        let wantsWrite = access == O_WRONLY || access == O_RDWR
        var outcome = RequestOutcome()
        outcome.access = wantsRead ? (wantsWrite ? .readWrite : .read) : .write
        if (wantsWrite && !node.canWrite) || (wantsRead && !node.canRead) {
            outcome.errno = EACCES
            finish(described, outcome)
            fuse_reply_err(request, EACCES)
            return
        }
        finish(described, outcome)
        cfuse_set_open_flags(info, 1, 1)
        // Only a reader needs a show buffer; a write-only open hands the node itself over.
        let privileged = (node as? BinaryAttribute)?.unprivilegedSize == nil || callerHasSysAdmin(request)
        replyOpen(request, info: info, handle: wantsRead ? OpenAttribute(node: node, privileged: privileged) : node)
    }

    func read(_ request: fuse_req_t?, size: Int, offset: Int, info: UnsafeMutablePointer<fuse_file_info>?) {
        guard let info, let handle = OpenHandles.attribute(cfuse_file_handle(info)) else {
            fuse_reply_err(request, EBADF)
            return
        }
        let node = handle.node
        if node.isRemoved {
            fuse_reply_err(request, ENODEV)
            return
        }
        // A text attribute's `show` runs at offset 0; later reads continue its buffer, which hooks do not see.
        var described: FuseRequest?
        if offset == 0 || node is BinaryAttribute {
            guard let admitted = admit(request, .read, .node(node)) else { return }
            described = admitted
        }
        let result: Result<ArraySlice<UInt8>, Errno>
        switch node {
        case let attribute as Attribute:
            result = Result { () throws(Errno) in
                try handle.read(offset: offset, count: size) { () throws(Errno) in try attribute.read() }
            }
        case let binary as BinaryAttribute:
            result = Result { () throws(Errno) in
                try binary.read(offset: offset, count: size, privileged: handle.privileged)[...]
            }
        default:
            result = .failure(.isDirectory)
        }
        var outcome = RequestOutcome()
        outcome.offset = offset
        switch result {
        case .success(let bytes): outcome.length = bytes.count
        case .failure(let error): outcome.errno = error.rawValue
        }
        if let described {
            finish(described, outcome)
        } else if outcome.errno != 0 {
            finish(FuseRequest(.read, .node(node), request: request, pauses: pauses), outcome)
        }
        switch result {
        case .success(let bytes):
            bytes.withUnsafeBytes { raw in
                _ = fuse_reply_buf(request, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
            }
        case .failure(let error):
            fuse_reply_err(request, error.rawValue)
        }
    }

    /// One write(2) is one `store`, capped at PAGE_SIZE; its error is the write's error.
    func write(_ request: fuse_req_t?, buffer: UnsafePointer<CChar>?, size: Int, offset: Int,
               info: UnsafeMutablePointer<fuse_file_info>?) {
        guard let info, let opened = OpenHandles.written(cfuse_file_handle(info)) else {
            fuse_reply_err(request, EBADF)
            return
        }
        let node = opened.node
        if node.isRemoved {
            fuse_reply_err(request, ENODEV)
            return
        }
        guard let described = admit(request, .write, .node(node)) else { return }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: buffer == nil ? 0 : size)
        let offered = node is Attribute ? Array(bytes.prefix(Attribute.pageSize)) : Array(bytes)
        let (result, reasons) = KernelMessages.capture { () -> Result<Int, Errno> in
            switch node {
            case let attribute as Attribute:
                opened.readBuffer?.invalidate()
                return Result { () throws(Errno) in try attribute.write(offered) }
            case let binary as BinaryAttribute:
                return Result { () throws(Errno) in try binary.write(offset: offset, bytes: offered) }
            default:
                return .failure(.isDirectory)
            }
        }
        let deferred = flushChanges(writing: node)
        var outcome = RequestOutcome()
        outcome.offset = offset
        outcome.length = size
        outcome.written = offered
        outcome.reasons = reasons
        if case .failure(let error) = result { outcome.errno = error.rawValue }
        finish(described, outcome)
        switch result {
        case .success(let count): fuse_reply_write(request, count)
        case .failure(let error): fuse_reply_err(request, error.rawValue)
        }
        send(deferred)
    }

    /// kernfs keeps no extended attributes for sysfs files: the list is empty.
    func listxattr(_ request: fuse_req_t?, inode: fuse_ino_t, size: Int) {
        guard inodes.node(inode) != nil else {
            fuse_reply_err(request, ENOENT)
            return
        }
        if size == 0 {
            fuse_reply_xattr(request, 0)
        } else {
            fuse_reply_buf(request, nil, 0)
        }
    }

    // MARK: Directories

    /// The kernel may keep the listing (FOPEN_CACHE_DIR) until a change
    /// invalidates the directory; while the hooks forbid caching, every
    /// readdir must reach the server, so nothing is kept then.
    func opendir(_ request: fuse_req_t?, inode: fuse_ino_t, info: UnsafeMutablePointer<fuse_file_info>?) {
        guard let info, let directory = inodes.node(inode) as? Directory else {
            fuse_reply_err(request, ENOTDIR)
            return
        }
        guard let described = admit(request, .open, .node(directory)) else { return }
        if hooks?.cachingAllowed ?? true { cfuse_set_cached_directory(info) }
        finish(FuseRequest(.readdir, described.subject, request: request, pauses: pauses), RequestOutcome())
        replyOpen(request, info: info, handle: OpenDirectory(directory: directory))
    }

    /// Hands `handle` to the kernel as `fi->fh`; if the reply cannot be sent, nobody will release it.
    private func replyOpen(_ request: fuse_req_t?, info: UnsafeMutablePointer<fuse_file_info>, handle: AnyObject) {
        cfuse_set_file_handle(info, OpenHandles.retain(handle))
        if fuse_reply_open(request, info) != 0 {
            OpenHandles.release(cfuse_file_handle(info))
        }
    }

    func readdir(_ request: fuse_req_t?, size: Int, offset: Int, info: UnsafeMutablePointer<fuse_file_info>?) {
        guard let info, let listing = OpenHandles.directory(cfuse_file_handle(info)) else {
            fuse_reply_err(request, EBADF)
            return
        }
        guard admit(request, .readdir, .node(listing.directory)) != nil else { return }
        guard size > 0 else {
            fuse_reply_buf(request, nil, 0)
            return
        }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        defer { buffer.deallocate() }
        let entries = listing.entries(restart: offset == 0, inodes: inodes)
        var used = 0
        var index = max(offset, 0)
        while index < entries.count {
            let entry = entries[index]
            var attributes = stat()
            attributes.st_ino = UInt(truncatingIfNeeded: entry.inode)
            attributes.st_mode = entry.mode
            // withCString keeps short names on the stack (BENCHMARKS.md).
            let needed = entry.name.withCString { name in
                fuse_add_direntry(request, buffer + used, size - used, name, &attributes, index + 1)
            }
            if needed > size - used { break }
            used += needed
            index += 1
        }
        fuse_reply_buf(request, buffer, used)
    }
}

/// File handles are retained objects whose address travels as `fi->fh`.
enum OpenHandles {
    static func retain(_ object: AnyObject) -> UInt64 {
        UInt64(UInt(bitPattern: Unmanaged.passRetained(object).toOpaque()))
    }

    static func release(_ handle: UInt64) {
        guard let pointer = UnsafeRawPointer(bitPattern: UInt(truncatingIfNeeded: handle)) else { return }
        Unmanaged<AnyObject>.fromOpaque(pointer).release()
    }

    static func attribute(_ handle: UInt64) -> OpenAttribute? { object(handle) as? OpenAttribute }

    /// What a write goes to, and the show buffer to re-arm when the file was opened for reading too.
    static func written(_ handle: UInt64) -> (node: Node, readBuffer: OpenAttribute?)? {
        switch object(handle) {
        case let attribute as OpenAttribute: return (attribute.node, attribute)
        case let node as Node: return (node, nil)
        default: return nil
        }
    }
    static func directory(_ handle: UInt64) -> OpenDirectory? { object(handle) as? OpenDirectory }

    private static func object(_ handle: UInt64) -> AnyObject? {
        guard let pointer = UnsafeRawPointer(bitPattern: UInt(truncatingIfNeeded: handle)) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue()
    }
}
