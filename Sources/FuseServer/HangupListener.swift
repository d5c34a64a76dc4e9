#if canImport(Glibc)
import Glibc
#endif

/// Takes SIGHUP over from libfuse (whose handler would end the loop) and calls
/// `handler` for each one on a thread of its own, through a self-pipe: the
/// signal handler itself only writes one byte. One per process: the last one
/// installed receives the signal.
///
/// Only a SIGHUP a process sent (kill(2), sigqueue(3): `si_code` SI_USER,
/// SI_QUEUE, SI_TKILL) is a request; one the kernel sends (SI_KERNEL) means a
/// terminal hung up on the server's session or process group, and
/// `ignored` is called for it instead.
final class HangupListener: @unchecked Sendable {
    private static let requested: UInt8 = 1
    private static let fromKernel: UInt8 = 2

    /// The pipe's write end, for the signal handler; -1 when no listener is installed.
    nonisolated(unsafe) private static var signalFD: Int32 = -1

    private let readFD: Int32
    private let writeFD: Int32
    private var thread: pthread_t?
    private let handler: @Sendable () -> Void
    private let ignored: @Sendable () -> Void

    /// Installs the listener; nil when the pipe or thread cannot be had (SIGHUP then keeps libfuse's meaning).
    init?(handler: @escaping @Sendable () -> Void, ignored: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        readFD = fds[0]
        writeFD = fds[1]
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)
        self.handler = handler
        self.ignored = ignored
        let box = Unmanaged.passRetained(self).toOpaque()
        var created = pthread_t()
        guard pthread_create(&created, nil, { argument in
            guard let argument else { return nil }
            let listener = Unmanaged<HangupListener>.fromOpaque(argument).takeRetainedValue()
            listener.listen()
            return nil
        }, box) == 0 else {
            Unmanaged<HangupListener>.fromOpaque(box).release()
            close(readFD)
            close(writeFD)
            return nil
        }
        thread = created
        HangupListener.signalFD = writeFD
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { _, information, _ in
            let saved = errno
            let sentByKernel = information.map { Int($0.pointee.si_code) == Int(SI_KERNEL) } ?? false
            var byte = sentByKernel ? HangupListener.fromKernel : HangupListener.requested
            _ = write(HangupListener.signalFD, &byte, 1)
            errno = saved
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART | SA_SIGINFO
        sigaction(SIGHUP, &action, nil)
    }

    /// Gives SIGHUP back its default meaning and ends the listening thread.
    func stop() {
        signal(SIGHUP, SIG_DFL)
        HangupListener.signalFD = -1
        close(writeFD)
        if let thread { pthread_join(thread, nil) }
        thread = nil
        close(readFD)
    }

    private func listen() {
        // The mask is inherited across exec: a parent that blocked SIGHUP must not silence it here.
        var hangup = sigset_t()
        sigemptyset(&hangup)
        sigaddset(&hangup, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &hangup, nil)
        var byte: UInt8 = 0
        while true {
            let count = read(readFD, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            if byte == HangupListener.fromKernel { ignored() } else { handler() }
        }
    }
}
