import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Where `fakesysfs mount` leaves its server: in the caller's session (and so
/// its scheduler autogroup) but in a process group of its own, with its
/// signals working whatever the caller ignored, and deaf to a terminal's hangup.
@Suite(.requiresFUSE) struct DaemonPlacementTests {
    @Test func serverStaysInTheCallersSessionInAGroupOfItsOwn() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let server = try #require(tree.serverPID)
        #expect(getsid(server) == getsid(0))
        #expect(getpgid(server) == server)
        #expect(getpgid(server) != getpgrp())
        let autogroup = "/proc/self/autogroup"
        if access(autogroup, R_OK) == 0 {
            #expect(fileBytes("/proc/\(server)/autogroup") == fileBytes(autogroup))
        }
    }

    /// A shell starts background commands with SIGINT and SIGQUIT ignored, `nohup` ignores SIGHUP.
    @Test func signalsTheCallerIgnoredStillReachTheServer() throws {
        let ignoring = """
            import os, signal, sys
            for number in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
                signal.signal(number, signal.SIG_IGN)
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let tree = try MountedTree.mount(launcher: ["/usr/bin/python3", "-c", ignoring])
        defer { tree.unmount() }
        let server = try #require(tree.serverPID)
        #expect(kill(server, SIGHUP) == 0)
        #expect(eventually(within: 5) { tree.serverLog.contains("reload: this mount has no scenario file") })
        #expect(tree.isMounted)
        try tree.stopServer(with: SIGINT)
        #expect(eventually(within: 10) { !tree.isMounted && !ProcessTable.isRunning(server) })
    }

    /// The mount is made from a session that has a terminal, the server's group is
    /// then made the terminal's foreground group, and the session's leader exits:
    /// the kernel sends the server SIGHUP (si_code SI_KERNEL). It is no request to
    /// reload; one sent with kill(2) still is.
    @Test func aTerminalHangupIsNoReload() throws {
        let terminalSession = """
            import fcntl, os, sys, termios
            os.setsid()
            master, terminal = os.openpty()
            fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)
            child = os.fork()
            if child == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            _, status = os.waitpid(child, 0)
            if status != 0:
                sys.exit(1)
            def session_of(pid):
                try:
                    return os.getsid(pid)
                except OSError:
                    return None
            others = [int(entry) for entry in os.listdir("/proc")
                      if entry.isdigit() and int(entry) != os.getpid() and session_of(int(entry)) == os.getsid(0)]
            groups = {os.getpgid(pid) for pid in others}
            if len(groups) != 1:
                print("processes left in the session:", others, "in groups", groups)
                sys.exit(2)
            os.tcsetpgrp(terminal, groups.pop())
            """
        let tree = try MountedTree.mount(launcher: ["/usr/bin/python3", "-c", terminalSession])
        defer { tree.unmount() }
        let server = try #require(tree.serverPID)
        #expect(eventually(within: 5) { tree.serverLog.contains("SIGHUP from the kernel (a terminal hung up): ignored") })
        #expect(!tree.serverLog.contains("SIGHUP: reloading"))
        #expect(POSIX.readFile(tree.path(DefaultTree.gpu + "/vendor")) == .success("0x8086\n"))
        #expect(kill(server, SIGHUP) == 0)
        #expect(eventually(within: 5) { tree.serverLog.contains("reload: this mount has no scenario file") })
        #expect(tree.isMounted)
    }
}
