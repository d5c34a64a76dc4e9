import Support
import SysfsTree
import SystemPackage

/// The modules a host has loaded and their parameters' values.
public final class ModuleRegistry: Sendable {
    struct Loaded {
        let module: KernelModule
        var parameters: [String: String]
        /// The loaded modules that use this one.
        var holders: [String] = []
    }

    private let state = Locked<[String: Loaded]>([:])

    public var names: [String] { state.withLock { $0.keys.sorted() } }

    public func module(named name: String) -> KernelModule? { state.withLock { $0[name]?.module } }

    /// The loaded module that registers the PCI driver `driver`.
    public func module(registering driver: String) -> KernelModule? {
        state.withLock { loaded in
            loaded.values.first { $0.module.drivers.contains(KernelModule.Driver(driver)) }?.module
        }
    }

    /// Records `module` as loaded; false if it already was.
    func insert(_ module: KernelModule) -> Bool {
        state.withLock { loaded in
            guard loaded[module.name] == nil else { return false }
            loaded[module.name] = Loaded(module: module, parameters: Dictionary(
                module.parameters.map { ($0.name, $0.initial) }, uniquingKeysWith: { first, _ in first }))
            for used in module.uses { loaded[used]?.holders.append(module.name) }
            return true
        }
    }

    func holders(of name: String) -> [String] { state.withLock { $0[name]?.holders.sorted() ?? [] } }

    func parameter(_ parameter: String, of name: String) -> String {
        state.withLock { $0[name]?.parameters[parameter] ?? "" }
    }

    /// `param_attr_store` with the parameter's own setter: its parse error is the write's.
    func setParameter(_ parameter: KernelModule.Parameter, of name: String, from input: StoreInput) throws(Errno) {
        let value: String
        switch parameter.kind {
        case .bool:
            value = try input.boolean() ? "Y" : "N"
        case .uint:
            value = String(try input.unsignedInteger(max: UInt64(UInt32.max)))
        case .int:
            value = String(try KernelParsing.signedInteger(input.cString))
        }
        state.withLock { $0[name]?.parameters[parameter.name] = value }
    }
}

/// `/sys/module` (`kernel/module/sysfs.c`, `kernel/params.c`) and each driver's `module` link.
extension Host {
    /// Loads `module` after the modules it uses: its directory under `/sys/module`,
    /// and for each driver it registers the driver's directory, linked both ways.
    public func loadModule(_ module: KernelModule) {
        lock.withLock {
            for needed in ModuleCatalog.withDependencies(module) where modules.insert(needed) {
                let directory = root.directory("module")
                directory.insert(directory.makeDirectory(needed.name) { [weak self] directory in
                    self?.moduleNodes(needed, in: directory) ?? []
                })
                for driver in needed.drivers where driver.bus == "pci" {
                    pciDriverDirectory(driver.name).symlink("module", to: "/module/" + needed.name)
                }
            }
        }
    }

    private func parameterFile(_ parameter: KernelModule.Parameter, of module: String, in directory: Directory) -> Node {
        let show: Attribute.Show = { [weak self] in (self?.modules.parameter(parameter.name, of: module) ?? "") + "\n" }
        guard parameter.mode & 0o222 != 0 else { return directory.makeAttribute(parameter.name, mode: parameter.mode, show: show) }
        let store: Attribute.Store = { [weak self] input throws(Errno) in
            try self?.modules.setParameter(parameter, of: module, from: input)
        }
        return directory.makeAttribute(parameter.name, mode: parameter.mode, show: show, store: store)
    }

    private func moduleNodes(_ module: KernelModule, in directory: Directory) -> [Node] {
        let name = module.name
        var nodes: [Node] = [
            directory.makeAttribute("uevent", mode: 0o200, store: { [weak self] input throws(Errno) in
                let request = try SyntheticUEvent(parsing: input)
                self?.emit(UEvent(action: request.action, devpath: "/module/" + name, subsystem: "module",
                                  properties: request.properties))
            }),
        ]
        if !module.drivers.isEmpty {
            nodes.append(directory.makeDirectory("drivers") { drivers in
                module.drivers.map { drivers.makeSymlink($0.bus + ":" + $0.name, to: "/bus/\($0.bus)/drivers/\($0.name)") }
            })
        }
        if !module.parameters.isEmpty {
            nodes.append(directory.makeDirectory("parameters") { [weak self] parameters in
                module.parameters.map { self?.parameterFile($0, of: name, in: parameters) ?? parameters.makeAttribute($0.name, mode: $0.mode) }
            })
        }
        guard !module.builtIn else { return nodes }
        nodes += [
            directory.makeAttribute("initstate", mode: 0o444, value: "live\n"),
            directory.makeAttribute("refcnt", mode: 0o444) { [weak self] in "\(self?.modules.holders(of: name).count ?? 0)\n" },
            directory.makeAttribute("taint", mode: 0o444, value: "\n"),
            directory.makeDirectory("holders") { [weak self] holders in
                (self?.modules.holders(of: name) ?? []).map { holders.makeSymlink($0, to: "/module/" + $0) }
            },
        ]
        return nodes
    }
}
