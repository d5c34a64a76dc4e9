import KernelCore
import SystemPackage
import SysfsTree

/// The PF's `qat/` attributes (`adf_sysfs.c`), with its checks in its order.
extension QATDriver {
    func qatDirectory(of pf: PCIDevice, in directory: Directory) -> Directory {
        let log = DeviceLog(pf)
        return directory.makeDirectory("qat") { [self] qat in
            qat.makeAttributes(of: self, [
                .rw("state", show: { $0.state.withLock { $0.up ? "up" : "down" } },
                    store: { qat, input throws(Errno) in try qat.storeState(input, log: log) }),
                .rw("cfg_services", show: { $0.state.withLock { $0.services } },
                    store: { qat, input throws(Errno) in try qat.storeServices(input, log: log) }),
                .ro("num_rps") { _ in "\(QATModel.ringPairs)" },
                .rw("rp2srv", show: { qat throws(Errno) in try qat.ringPairService() },
                    store: { qat, input throws(Errno) in try qat.storeRingPair(input, log: log) }),
            ])
        }
    }

    /// `state_store`: EBUSY while VFs or vQATs use the device, then `up` or `down`.
    private func storeState(_ input: StoreInput, log: DeviceLog) throws(Errno) {
        try state.withLock { state throws(Errno) in
            if state.inUse {
                log("device is busy")
                throw .resourceBusy
            }
            if input.streq("up") { state.up = true } else if input.streq("down") { state.up = false } else {
                throw .invalidArgument
            }
        }
        log.stateChanged()
    }

    /// `cfg_services_store`: a known service list, then only while the device is down.
    private func storeServices(_ input: StoreInput, log: DeviceLog) throws(Errno) {
        guard let services = QATServices.accepted.first(where: { input.streq($0) }) else { throw .invalidArgument }
        try state.withLock { state throws(Errno) in
            if state.up {
                log("device must be down to reconfigure the service")
                throw .invalidArgument
            }
            state.services = services
            state.publish()
        }
        log.stateChanged()
    }

    /// `rp2srv_show`: the service of the ring pair last written; EINVAL before one was.
    private func ringPairService() throws(Errno) -> String {
        try state.withLock { state throws(Errno) in
            guard let ringPair = state.ringPair,
                  let service = QATServices.service(ofRingPair: ringPair,
                                                    in: QATServices.ringToServiceMap(state.services)) else {
                throw .invalidArgument
            }
            return service
        }
    }

    private func storeRingPair(_ input: StoreInput, log: DeviceLog) throws(Errno) {
        let ringPair = try input.unsignedInteger(base: 10, max: UInt64(UInt32.max))
        guard ringPair < UInt64(QATModel.ringPairs) else {
            log("device does not support more than \(QATModel.ringPairs) ring pairs")
            throw .invalidArgument
        }
        state.withLock { $0.ringPair = Int(ringPair) }
    }
}
