import HostOS
import SystemPackage
import Testbed
import Testing
@testable import KernelCore

@Suite struct NetlinkUEventSinkTests {
    private static func currentNamespace() throws -> NetworkNamespace {
        try NetworkNamespace.ofCurrentThread().get()
    }

    @Test func refusesTheNamespaceTheProcessStartedIn() throws {
        let origin = try Self.currentNamespace()
        #expect {
            _ = try NetlinkUEventSink(outsideOf: origin)
        } throws: { error in
            guard case .sameAsOrigin(let namespace) = error as? NetlinkUEventSink.Refusal else { return false }
            return namespace == origin
        }
    }

    @Test(.enabled(if: NetworkNamespaceThread.available, "needs root to make a network namespace"))
    func listenersInTheNamespaceGetEveryEventInOrder() throws {
        let origin = try Self.currentNamespace()
        let change = UEvent(action: .change, devpath: "/devices/pci0000:3b/0000:3b:00.0", subsystem: "pci")
        let received = try NetworkNamespaceThread.run { () throws -> [[UInt8]] in
            let listener = try #require(UEventListener())
            let sink = try NetlinkUEventSink(outsideOf: origin)
            sink.emit(UdevMonitorMessageTests.mdevBind)
            sink.emit(change)
            return [listener.receive(), listener.receive()].compactMap { $0 }
        }
        #expect(received == [
            UdevMonitorMessage.encode(UdevMonitorMessageTests.mdevBind, seqnum: 1),
            UdevMonitorMessage.encode(change, seqnum: 2),
        ])
    }

    @Test(.enabled(if: NetworkNamespaceThread.available, "needs root to make a network namespace"))
    func listenersOutsideTheNamespaceGetNothing() throws {
        let origin = try Self.currentNamespace()
        let hostListener = try #require(UEventListener(timeoutMilliseconds: 300))
        let marker = UEvent(action: .add, devpath: "/devices/fakesysfs-isolation-check", subsystem: "pci")
        let insideGotIt = try NetworkNamespaceThread.run { () throws -> Bool in
            let listener = try #require(UEventListener())
            try NetlinkUEventSink(outsideOf: origin).emit(marker)
            return listener.receive() != nil
        }
        #expect(insideGotIt)
        var leaked = false
        while let message = hostListener.receive() {
            leaked = leaked || String(decoding: message, as: UTF8.self).contains(marker.devpath)
        }
        #expect(!leaked)
    }
}
