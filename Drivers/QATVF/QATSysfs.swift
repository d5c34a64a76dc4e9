import KernelCore
import SystemPackage
import SysfsTree

/// The PF's `qat/` attributes (`adf_sysfs.c`), with its checks in its order.
extension QATDriver {
    func qatDirectory(of pf: PCIDevice, in directory: Directory) -> Directory {
        let address = pf.address
        weak let host = pf.host
        typealias Body = (inout State) throws(Errno) -> String
        let locked: @Sendable (Body) throws(Errno) -> String = { [weak self] body throws(Errno) in
            guard let self, let host else { throw .noDevice }
            return try host.lock.withLock { () throws(Errno) in try body(&self.state) }
        }
        let log: @Sendable (String) -> Void = { message in host?.log(message) }
        return directory.makeDirectory("qat") { qat in [
            qat.makeAttribute("state", mode: 0o644,
                show: { () throws(Errno) in try locked { state in state.up ? "up\n" : "down\n" } },
                store: { input throws(Errno) in
                    _ = try locked { state throws(Errno) in
                        if state.inUse {
                            log("\(address): device is busy")
                            throw .resourceBusy
                        }
                        if input.streq("up") { state.up = true } else if input.streq("down") { state.up = false } else {
                            throw .invalidArgument
                        }
                        return ""
                    }
                    host?.noteStateChange()
                }),
            qat.makeAttribute("cfg_services", mode: 0o644,
                show: { () throws(Errno) in try locked { state in state.services + "\n" } },
                store: { input throws(Errno) in
                    guard let services = QATServices.accepted.first(where: { input.streq($0) }) else {
                        throw .invalidArgument
                    }
                    _ = try locked { state throws(Errno) in
                        if state.up {
                            log("\(address): device must be down to reconfigure the service")
                            throw .invalidArgument
                        }
                        state.services = services
                        return ""
                    }
                    host?.noteStateChange()
                }),
            qat.makeAttribute("num_rps", mode: 0o444) { "\(QATModel.ringPairs)\n" },
            qat.makeAttribute("rp2srv", mode: 0o644,
                show: { () throws(Errno) in
                    try locked { state throws(Errno) in
                        guard let ringPair = state.ringPair,
                              let service = QATServices.service(ofRingPair: ringPair,
                                                                in: QATServices.ringToServiceMap(state.services)) else {
                            throw .invalidArgument
                        }
                        return service + "\n"
                    }
                },
                store: { input throws(Errno) in
                    let ringPair = try input.unsignedInteger(base: 10, max: UInt64(UInt32.max))
                    guard ringPair < UInt64(QATModel.ringPairs) else {
                        log("\(address): device does not support more than \(QATModel.ringPairs) ring pairs")
                        throw .invalidArgument
                    }
                    _ = try locked { state in
                        state.ringPair = Int(ringPair)
                        return ""
                    }
                }),
        ] }
    }
}
