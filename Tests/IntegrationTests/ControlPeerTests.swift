import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs ctl` talks only to a server of the same user (or root): another
/// user's socket, found or given, is refused before anything is sent.
@Suite(.enabled(if: UnprivilegedUser.canSwitch || FUSEAvailability.isCI, "needs root to switch users"))
struct ControlPeerTests {
    /// A server that prints whatever reply it likes, run as another user.
    static let forger = """
        import os, socket, sys
        s = socket.socket(socket.AF_UNIX)
        s.bind(sys.argv[1])
        os.chmod(sys.argv[1], 0o777)
        s.listen(1)
        s.settimeout(20)
        c, _ = s.accept()
        c.settimeout(1)
        try:
            c.recv(65536)
            c.sendall(b'{"status":0,"output":"FORGED\\\\n","error":""}\\n')
        except OSError:
            pass
        """

    @Test func aSocketServedByAnotherUserIsRefused() throws {
        let (uid, gid) = try UnprivilegedUser.ensure()
        var template = Array("/tmp/fakesysfs-peer.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
        let directory = String(cBuffer: template)
        chown(directory, uid, gid)
        let socket = directory + "/forged.sock"
        defer {
            unlink(socket)
            rmdir(directory)
        }
        let script = """
            /usr/bin/setpriv --reuid=\(uid) --regid=\(gid) --clear-groups -- /usr/bin/python3 -c "$1" "$2" &
            for _ in $(seq 100); do [ -S "$2" ] && break; sleep 0.05; done
            "$3" ctl --socket "$2" /tmp/nowhere status
            echo "status=$?"
            wait
            """
        let result = try Command.run(["/bin/sh", "-c", script, "sh", Self.forger, socket, try MountedTree.binary()])
        #expect(result.output == """
            Error: \(socket) is served by uid \(uid), not by you (uid 0) or root; not talking to it
            status=1

            """)
    }
}
