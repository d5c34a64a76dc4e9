#if canImport(Glibc)
import Glibc
#endif

/// The private network namespace's loopback interface, brought up as a
/// booted system has it: daemons (eventlet, libvirtd) bind 127.0.0.1.
enum Loopback {
    static func bringUp() throws(RunFailure) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RunFailure("cannot open a socket to bring lo up", errno) }
        defer { close(fd) }
        var request = ifreq()
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { name in
            name.copyBytes(from: Array("lo".utf8) + [0])
        }
        guard ioctl(fd, UInt(SIOCGIFFLAGS), &request) == 0 else { throw RunFailure("cannot read lo's flags", errno) }
        request.ifr_ifru.ifru_flags |= Int16(IFF_UP)
        guard ioctl(fd, UInt(SIOCSIFFLAGS), &request) == 0 else { throw RunFailure("cannot bring lo up", errno) }
    }
}
