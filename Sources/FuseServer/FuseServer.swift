import CFuse3
import SysfsTree
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Serves a `SysfsTree` through the libfuse3 low-level API with sysfs
/// semantics. One server object is reached from every callback through the
/// session's userdata; its mutable state is atomic or behind locks.
public final class FuseServer: Sendable {
    public struct Options: Sendable {
        public var allowOther = false
        /// How long the kernel may keep names and attributes. Every change is
        /// invalidated at once, so this only bounds the harm of a missed
        /// invalidation (sysfs dentries never expire); 0 while the hooks forbid caching.
        public var cacheTimeout: Double = 60
        /// libfuse's default, as the C baseline's: idle workers are never
        /// destroyed, and every extra one takes turns with the rest for each
        /// request (BENCHMARKS.md has the measurements).
        public var maxThreads: UInt32 = 10
        public var fsName = "fakesysfs"
        /// Has a fusermount3 helper unmount if the server dies. A mount inside a
        /// private mount namespace needs none: it goes with the namespace.
        public var autoUnmount = true
        /// Called on a thread of its own for each SIGHUP a process sends; without it SIGHUP ends the
        /// loop as SIGTERM does. With it, a SIGHUP from the kernel (a hung-up terminal) is logged and ignored.
        public var onHangup: (@Sendable () -> Void)?

        public init() {}
    }

    public enum Failure: Error, CustomStringConvertible {
        case session, mount(String), loop(Int32)

        public var description: String {
            switch self {
            case .session: return "libfuse could not create a session"
            case .mount(let path): return "cannot mount on \(path): is /dev/fuse available and fusermount3 installed?"
            case .loop(let code): return "the FUSE loop failed (\(code))"
            }
        }
    }

    let root: Directory
    /// The tree's change queue, held here so that a write reaches it without a retain.
    private let changes: TreeEvents
    let inodes: InodeTable
    let options: Options
    let log: @Sendable (String) -> Void
    /// What the server's user adds to each request (faults, a trace); nil for none.
    let hooks: (any RequestHooks)?
    let pauses: RequestPauses
    /// Set once before the loop starts; read by callbacks to send invalidations.
    private let session = Atomic<UInt>(0)
    /// `hooks.cachingAllowed` when control changes were last flushed.
    private let cachingWasAllowed = Atomic<Bool>(true)

    public init(root: Directory, options: Options = Options(), hooks: (any RequestHooks)? = nil,
                log: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.inodes = InodeTable(root: root)
        self.options = options
        self.hooks = hooks
        self.pauses = RequestPauses(workers: options.maxThreads)
        self.log = log
        self.changes = root.changes
        changes.startObserving()
    }

    /// Mounts at `mountpoint`, calls `ready` once the tree is served, and runs
    /// until unmounted or signalled (SIGINT, SIGTERM, and SIGHUP unless `onHangup` takes it).
    public func run(mountpoint: String, ready: () -> Void) throws(Failure) {
        var mountOptions = "fsname=\(options.fsName),subtype=fakesysfs"
        if options.autoUnmount { mountOptions += ",auto_unmount" }
        if options.allowOther { mountOptions += ",allow_other,default_permissions" }
        var arguments = CArguments(["fakesysfs", "-o", mountOptions])
        defer { arguments.release() }

        var operations = FuseServer.operations()
        let userdata = Unmanaged.passRetained(self).toOpaque()
        defer { Unmanaged<FuseServer>.fromOpaque(userdata).release() }
        guard let session = withUnsafeMutablePointer(to: &arguments.fuseArgs, { args in
            cfuse_session_new(args, &operations, userdata)
        }) else { throw .session }
        defer { fuse_session_destroy(session) }
        self.session.store(UInt(bitPattern: session), ordering: .releasing)
        defer { self.session.store(0, ordering: .releasing) }

        guard fuse_set_signal_handlers(session) == 0 else { throw .session }
        defer { fuse_remove_signal_handlers(session) }
        let log = self.log
        let hangup = options.onHangup.flatMap { handler in
            HangupListener(handler: handler, ignored: {
                log("SIGHUP from the kernel (a terminal hung up): ignored; `kill -HUP` or `fakesysfs ctl reload` reloads")
            })
        }
        defer { hangup?.stop() }
        guard fuse_session_mount(session, mountpoint) == 0 else { throw .mount(mountpoint) }
        defer { fuse_session_unmount(session) }

        log("serving \(mountpoint)")
        ready()
        let result = cfuse_session_loop_mt(session, options.maxThreads)
        // A positive result is the number of the signal that ended the loop.
        if result < 0 { throw .loop(result) }
        log("unmounting \(mountpoint)")
    }

    private var currentSession: OpaquePointer? {
        OpaquePointer(bitPattern: session.load(ordering: .acquiring))
    }

    /// Tells the kernel what this thread's tree changes made stale, and
    /// returns what must wait until the reply to a write of `written` is sent.
    func flushChanges(writing written: Node? = nil) -> [NotificationPlan.Notice] {
        var drained: [TreeEvents.Change] = []
        changes.drain { drained.append($0) }
        guard !drained.isEmpty else { return [] }
        let plan = NotificationPlan(drained, inodes: inodes, writing: written)
        send(plan.beforeReply)
        return plan.afterReply
    }

    /// The same for a thread that changes the tree outside a FUSE callback (a
    /// control command): it calls this before it reports the change done.
    public func flushControlChanges() {
        send(flushChanges())
        let allowed = hooks?.cachingAllowed ?? true
        if cachingWasAllowed.exchange(allowed, ordering: .acquiringAndReleasing) && !allowed { dropCaches() }
    }

    /// How long the kernel may keep what a reply tells it.
    var cacheTimeout: Double { hooks?.cachingAllowed ?? true ? options.cacheTimeout : 0 }

    /// Has the kernel forget every name and attribute it holds, as when a
    /// fault is added: a path it had cached must meet the fault at once.
    private func dropCaches() {
        guard let session = currentSession else { return }
        let (names, inodes) = self.inodes.everything()
        for name in names {
            notify(session, parent: name.parent, child: nil, name: name.name)
        }
        for inode in inodes {
            _ = fuse_lowlevel_notify_inval_inode(session, inode, -1, 0)
        }
    }

    func send(_ notices: [NotificationPlan.Notice]) {
        guard !notices.isEmpty, let session = currentSession else { return }
        for notice in notices {
            switch notice {
            case .invalidateName(let parent, let name): notify(session, parent: parent, child: nil, name: name)
            case .delete(let name): notify(session, parent: name.parent, child: name.child, name: name.name)
            case .invalidateDirectory(let inode): _ = fuse_lowlevel_notify_inval_inode(session, inode, 0, 0)
            }
        }
    }

    private func notify(_ session: OpaquePointer, parent: UInt64, child: UInt64?, name: String) {
        var name = name
        name.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let child, fuse_lowlevel_notify_delete(session, parent, child, chars.baseAddress, chars.count) == 0 {
                    return
                }
                _ = fuse_lowlevel_notify_inval_entry(session, parent, chars.baseAddress, chars.count)
            }
        }
    }
}

/// argv for libfuse, in C-allocated strings libfuse may keep and rewrite.
struct CArguments {
    var fuseArgs: fuse_args

    init(_ strings: [String]) {
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { argv[index] = strdup(string) }
        argv[strings.count] = nil
        fuseArgs = fuse_args(argc: Int32(strings.count), argv: argv, allocated: 0)
    }

    mutating func release() {
        if fuseArgs.allocated != 0 {
            fuse_opt_free_args(&fuseArgs)
        }
    }
}
