import Compatibility
import KernelCore
import Support
import SystemPackage
import SysfsTree

/// A declared driver at run time: one device's settings, the values its
/// functions' stores changed, and what each function's interfaces show.
final class DeclaredVendorDriver: VendorDriver {
    private struct State {
        var resolved: DeclaredDriver.Resolved
        /// Settings a store changed on one function; the others use the device's.
        var changed: [PCIAddress: [String: DeclaredValue]] = [:]
        var published: [PCIAddress: PublishedCompatibility] = [:]

        func value(_ name: String, of function: PCIAddress) -> DeclaredValue? {
            changed[function]?[name] ?? resolved.values[name]
        }
    }

    let declared: DeclaredDriver
    private let interfaces: CompatibilityInterfaces?
    private let state: Locked<State>

    init(_ declared: DeclaredDriver, values: DeclaredDriver.Resolved, flavours: Set<InterfaceFlavour>) {
        self.declared = declared
        state = Locked(State(resolved: values))
        interfaces = declared.compatibility.map { CompatibilityInterfaces(flavours: flavours, codec: $0.codec) }
    }

    func attributes(of device: PCIDevice, in directory: Directory) -> [Node] {
        nodes(for: device, at: .function, in: directory)
    }

    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] {
        nodes(for: vf, at: .vf, in: directory)
    }

    func disabledVFs(on pf: PCIDevice) {
        state.withLock { state in
            let vfs = state.changed.keys.filter { $0 != pf.address }
            for vf in vfs { state.changed[vf] = nil }
            for vf in state.published.keys where vf != pf.address { state.published[vf] = nil }
        }
    }

    func update(settings: DriverSettings) throws(SettingsError) {
        let resolved = try declared.resolve(settings)
        state.withLock { state in
            state.resolved = resolved
            for (function, published) in state.published { published.publish(describe(function, state)) }
        }
    }

    func persistentSettings(of device: PCIDevice) -> [String: String] {
        state.withLock { $0.changed[device.address] ?? [:] }.mapValues(\.text)
    }

    func restoreSettings(_ settings: [String: String], of device: PCIDevice) throws(Errno) {
        for (name, text) in settings {
            guard let setting = declared.setting(named: name), case .success(let value) = setting.parse(text) else {
                throw .invalidArgument
            }
            set(name, to: value, of: device.address)
        }
    }

    private func nodes(for function: PCIDevice, at location: DeclaredDriver.Location, in directory: Directory) -> [Node] {
        let address = function.address, log = DeviceLog(function)
        let table: [OwnedAttribute<DeclaredVendorDriver>] = declared.attributes.filter { $0.location == location }.map {
            attribute in
            let show: OwnedAttribute<DeclaredVendorDriver>.Show = { driver in
                driver.state.withLock { state in
                    attribute.show.render { state.value($0, of: address)?.text ?? "" }
                }
            }
            guard let store = attribute.store else { return .ro(attribute.name, mode: attribute.mode, show) }
            return .rw(attribute.name, mode: attribute.mode, show: show, store: { driver, input throws(Errno) in
                let value = try driver.parse(input, for: store)
                guard let value else {
                    log("\(attribute.name) refused: \(input.value.prefix(64))")
                    throw Errno(rawValue: store.errno)
                }
                driver.set(store.setting, to: value, of: address)
                log.stateChanged()
            })
        }
        var nodes = directory.makeAttributes(of: self, table)
        if let interfaces, let compatibility = declared.compatibility, compatibility.location == location {
            let published = PublishedCompatibility(interfaces)
            state.withLock { state in
                state.published[address] = published
                published.publish(describe(address, state))
            }
            nodes += published.nodes(in: directory, for: .device, log: log)
        }
        return nodes
    }

    /// The value a store's input gives, nil when the declared errno refuses it.
    private func parse(_ input: StoreInput, for store: DeclaredDriver.Attribute.Store) throws(Errno) -> DeclaredValue? {
        guard let setting = declared.setting(named: store.setting) else { return nil }
        let text: String
        switch store.parser {
        case .kstrtoul:
            guard let number = try? input.unsignedInteger(), let exact = Int(exactly: number) else { return nil }
            text = String(exact)
        case .kstrtobool:
            guard let flag = try? input.boolean() else { return nil }
            text = flag ? "true" : "false"
        case .tokens:
            text = input.value.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).joined(separator: ",")
        case .text:
            text = input.value
        }
        guard case .success(let value) = setting.parse(text) else { return nil }
        return value
    }

    private func set(_ name: String, to value: DeclaredValue, of function: PCIAddress) {
        state.withLock { state in
            state.changed[function, default: [:]][name] = value
            state.published[function]?.publish(describe(function, state))
        }
    }

    private func describe(_ function: PCIAddress, _ state: State) -> CompatibilityDescription? {
        guard state.resolved.migration, let compatibility = declared.compatibility else { return nil }
        return declared.describe(compatibility) { state.value($0, of: function) }
    }
}
