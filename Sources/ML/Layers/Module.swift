/// A layer or model owning named parameters.
public protocol Module: AnyObject {
    /// Parameters in a fixed order, named as in PyTorch's `state_dict` relative to this module.
    var namedParameters: [(name: String, variable: Variable)] { get }
}

extension Module {
    /// The parameters alone, in `namedParameters` order.
    public var parameters: [Variable] { namedParameters.map(\.variable) }

    /// Clears every parameter gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Number of scalars over all parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Parameters as a name → tensor map (a state dict).
    public func stateDict() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.variable.value) })
    }

    /// Replaces every parameter from `state`; names and shapes must match exactly.
    public func loadStateDict(_ state: [String: Tensor]) throws {
        let expected = Set(namedParameters.map(\.name))
        let extra = Set(state.keys).subtracting(expected)
        if !extra.isEmpty { throw MLError.shapeMismatch("unexpected tensors: \(extra.sorted().joined(separator: ", "))") }
        for (name, variable) in namedParameters {
            guard let tensor = state[name] else { throw MLError.shapeMismatch("missing tensor \(name)") }
            guard tensor.shape == variable.shape else {
                throw MLError.shapeMismatch("\(name) has shape \(tensor.shape), model expects \(variable.shape)")
            }
            variable.assign(tensor)
        }
    }
}

/// Prefixes every parameter name of `module` with `prefix.` (state_dict nesting).
func prefixed(_ prefix: String, _ module: any Module) -> [(name: String, variable: Variable)] {
    module.namedParameters.map { ("\(prefix).\($0.name)", $0.variable) }
}
