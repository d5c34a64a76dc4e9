import CFuse3
import SysfsTree
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Serves a `SysfsTree` through the libfuse3 low-level API with sysfs
/// semantics. One immutable server object is reached from every callback
/// through the session's userdata; all mutable state sits behind locks.
public final class FuseServer: @unchecked Sendable {
    public struct Options: Sendable {
        public var allowOther = false
        /// How long the kernel may keep names and attributes. Every change is
        /// invalidated at once, so this only bounds the harm of a missed
        /// invalidation (sysfs dentries never expire); 0 while a fault is in force.
        public var cacheTimeout: Double = 60
        /// libfuse's default, as the C baseline's: idle workers are never
        /// destroyed, and every extra one takes turns with the rest for each
        /// request (16 instead of 10 cost 10-12 % at 8 client threads on 2 CPUs).
        public var maxThreads: UInt32 = 10
        public var fsName = "fakesysfs"
        /// Has a fusermount3 helper unmount if the server dies. A mount inside a
        /// private mount namespace needs none: it goes with the namespace.
        public var autoUnmount = true
        /// Where to write the access trace, if anywhere.
        public var trace: AccessTrace?
        /// Called on a thread of its own for each SIGHUP; without it SIGHUP ends the loop as SIGTERM does.
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
    /// The faults injected into the callbacks; empty unless a scenario or control command adds some.
    public let faults = FaultPlan()
    /// Set once before the loop starts; read by callbacks to send invalidations.
    private(set) var session: OpaquePointer?
    /// `faults.additionCount` when the kernel's caches were last dropped for a new fault.
    private let faultsAdded = Atomic<UInt64>(0)

    public init(root: Directory, options: Options = Options(), log: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.inodes = InodeTable(root: root)
        self.options = options
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
        self.session = session

        guard fuse_set_signal_handlers(session) == 0 else { throw .session }
        defer { fuse_remove_signal_handlers(session) }
        let hangup = options.onHangup.flatMap { HangupListener(handler: $0) }
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

    /// Tells the kernel about the names this thread's changes made stale.
    /// A node that went away is reported deleted, with whatever the kernel
    /// knows below it first, so the kernel drops those inodes and forgets them
    /// at once; an inode that is merely invalidated stays cached (and pinned
    /// in `inodes`) until memory pressure. Every changed directory loses its
    /// cached attributes and listing. Deletions that would take the lock
    /// of `written` (the file whose write is being served) are returned for
    /// `deleteNames` to report after the reply, as waiting for that lock
    /// before replying would deadlock; the name that heads them is
    /// invalidated at once (that takes only its directory's lock), so no
    /// path through it outlives the reply.
    @discardableResult
    func flushChanges(writing written: Node? = nil) -> [InodeTable.Name] {
        guard let session else { return [] }
        var deferred: [InodeTable.Name] = []
        var changedDirectories: [UInt64] = []
        changes.drain { change in
            guard inodes.isKnown(change.parent) else { return }
            if !changedDirectories.contains(change.parent) { changedDirectories.append(change.parent) }
            if let child = change.child, inodes.isKnown(child) {
                let names = inodes.namesToDelete(child, name: change.name, in: change.parent)
                if let written, names.contains(where: { $0.child == written.id }) {
                    if let head = names.last { notify(session, parent: head.parent, child: nil, name: head.name) }
                    deferred += names
                } else {
                    deleteNames(names)
                }
                return
            }
            notify(session, parent: change.parent, child: nil, name: change.name)
        }
        for directory in changedDirectories {
            _ = fuse_lowlevel_notify_inval_inode(session, directory, 0, 0)
        }
        return deferred
    }

    /// The same for a thread that changes the tree outside a FUSE callback (a
    /// control command): it calls this before it reports the change done.
    public func flushControlChanges() {
        deleteNames(flushChanges())
        let added = faults.additionCount
        if faultsAdded.exchange(added, ordering: .acquiringAndReleasing) != added { dropCaches() }
    }

    /// How long the kernel may keep what a reply tells it: nothing while a
    /// fault is in force, so that every lookup and getattr reaches the fault plan.
    var cacheTimeout: Double { faults.isEmpty ? options.cacheTimeout : 0 }

    /// Has the kernel forget every name and attribute it holds, as when a
    /// fault is added: a path it had cached must meet the fault at once.
    private func dropCaches() {
        guard let session else { return }
        let (names, inodes) = self.inodes.everything()
        for name in names {
            notify(session, parent: name.parent, child: nil, name: name.name)
        }
        for inode in inodes {
            _ = fuse_lowlevel_notify_inval_inode(session, inode, -1, 0)
        }
    }

    /// Reports names deleted, children before their directory; a name the
    /// kernel cannot delete (a directory still in use) is invalidated instead.
    func deleteNames(_ names: [InodeTable.Name]) {
        guard let session else { return }
        for name in names {
            notify(session, parent: name.parent, child: name.child, name: name.name)
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
