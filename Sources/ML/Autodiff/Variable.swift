/// A tensor in a computation graph: reverse-mode automatic differentiation.
///
/// Each operation on variables records its inputs and its `Operation`; `backward()` walks
/// the graph in reverse topological order and applies the rule for each operation from the
/// single table in `GradientRules`, adding into the gradients of the inputs. Leaf gradients
/// accumulate across calls until `zeroGrad()`. Inside `GradientMode.withoutGradients` no
/// graph is recorded at all.
public final class Variable {
    /// The value computed in the forward pass.
    public internal(set) var value: Tensor
    /// `value` with its last two dimensions swapped, for parameters of rank 2 or more: layers
    /// multiply by their weights transposed on every call, and a parameter changes only through
    /// `assign`. Set by `init` and `assign` and never filled in lazily, so the readers that share
    /// a model at once (serving replicas' explainers, training threads) never write to it.
    public private(set) var transposedValue: Tensor?
    /// Accumulated gradient of a leaf that requires one; `nil` until a backward pass reaches it.
    public var grad: Tensor?
    /// Whether gradients flow to (or through) this variable.
    public let requiresGrad: Bool
    /// The operation that produced this variable; `nil` for leaves.
    let operation: Operation?
    /// The operation's operands, in the order its gradient rule expects.
    let inputs: [Variable]
    /// Gradient of an interior node while a backward pass runs; released afterwards.
    var pendingGrad: Tensor?

    /// A leaf holding `value`; parameters pass `requiresGrad: true`.
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.transposedValue = requiresGrad && value.rank >= 2 ? value.transposedLastTwo() : nil
        self.requiresGrad = requiresGrad
        self.operation = nil
        self.inputs = []
    }

    private init(value: Tensor, operation: Operation, inputs: [Variable]) {
        self.value = value
        self.requiresGrad = true
        self.operation = operation
        self.inputs = inputs
    }

    /// The result of `operation` on `inputs`: recorded in the graph when gradients are enabled
    /// and some input needs one, otherwise a plain constant (no tape).
    static func record(_ value: Tensor, _ operation: @autoclosure () -> Operation, _ inputs: [Variable]) -> Variable {
        if GradientMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
            return Variable(value: value, operation: operation(), inputs: inputs)
        }
        return Variable(value)
    }

    /// Shape of the value.
    public var shape: [Int] { value.shape }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// Replaces the value of a leaf (optimisers update parameters through this).
    public func assign(_ newValue: Tensor) {
        precondition(operation == nil, "only leaves can be assigned")
        precondition(newValue.shape == value.shape, "assign \(newValue.shape) to \(value.shape)")
        value = newValue
        if transposedValue != nil { transposedValue = newValue.transposedLastTwo() }
    }

    /// `value` transposed in its last two dimensions: the kept copy of a parameter, else computed.
    var transposed: Tensor { transposedValue ?? value.transposedLastTwo() }

    /// Adds `contribution` to this variable's gradient.
    func accumulate(_ contribution: Tensor) {
        guard requiresGrad else { return }
        if operation == nil {
            if grad == nil { grad = contribution } else { grad!.add(contribution) }
        } else {
            if pendingGrad == nil { pendingGrad = contribution } else { pendingGrad!.add(contribution) }
        }
    }

    /// Adds `part` into the slice `start...` along `axis` of this variable's gradient.
    func accumulateSlice(_ part: Tensor, axis: Int, start: Int) {
        guard requiresGrad else { return }
        if operation == nil {
            if grad == nil { grad = .zeros(value.shape) }
            grad!.addSlice(part, axis: axis, start: start)
        } else {
            if pendingGrad == nil { pendingGrad = .zeros(value.shape) }
            pendingGrad!.addSlice(part, axis: axis, start: start)
        }
    }

    /// Back-propagates from this scalar (seed gradient 1).
    public func backward() {
        precondition(value.count == 1, "backward() needs a scalar, got shape \(value.shape); use backward(seed:)")
        backward(seed: Tensor(shape: value.shape, repeating: 1))
    }

    /// Back-propagates `seed` (the gradient of some scalar with respect to this variable).
    public func backward(seed: Tensor) {
        precondition(seed.shape == value.shape, "seed \(seed.shape) for \(value.shape)")
        guard requiresGrad else { return }
        let order = topologicalOrder()
        accumulate(seed)
        for node in order.reversed() {
            guard let operation = node.operation else { continue }
            guard let upstream = node.pendingGrad else { continue }
            node.pendingGrad = nil
            GradientRules.propagate(operation, node: node, upstream: upstream)
        }
    }

    /// Interior and leaf nodes reachable from here that need gradients, inputs before users.
    private func topologicalOrder() -> [Variable] {
        var order = [Variable]()
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            if !visited.insert(ObjectIdentifier(node)).inserted { continue }
            stack.append((node, true))
            for input in node.inputs.reversed() where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}

/// Whether operations record a graph for differentiation.
public enum GradientMode {
    /// `false` inside `withoutGradients` (inference: no tape is kept).
    @TaskLocal public static var isEnabled: Bool = true

    /// Runs `body` without recording any graph.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(false, operation: body)
    }
}
