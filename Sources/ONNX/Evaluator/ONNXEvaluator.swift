import Foundation

/// MLedger's own ONNX interpreter (Float32): runs a graph node by node in file order (ONNX
/// requires topological order) over the operators MLedger supports; everything else is refused
/// with the operator's name before anything runs.
public struct ONNXEvaluator: Sendable {
    public let model: Onnx_ModelProto
    /// Initializers, decoded once.
    let constants: [String: ONNXTensor]
    /// Per node (by index), weights laid out once for its kernel (ONNXPreparedNode).
    let prepared: [Int: ONNXPreparedNode]
    /// Graph inputs that are not initializers: what a caller must feed.
    public let inputNames: [String]
    public let outputNames: [String]

    /// Every operator the evaluator implements, by domain.
    public static let supportedOperators: [String: Set<String>] = [
        "": Set(ONNXOperators.standard.keys),
        "ai.onnx.ml": Set(ONNXOperators.machineLearning.keys),
    ]

    public init(model: Onnx_ModelProto) throws {
        self.model = model
        var constants = [String: ONNXTensor]()
        for initializer in model.graph.initializer {
            guard !initializer.name.isEmpty else { throw ONNXError.malformed("an initializer has no name") }
            constants[initializer.name] = try ONNXTensor(proto: initializer)
        }
        self.constants = constants
        inputNames = model.graph.input.map(\.name).filter { constants[$0] == nil }
        outputNames = model.graph.output.map(\.name)
        for domain in model.opsetImport.map(\.domain) where !["", "ai.onnx", "ai.onnx.ml"].contains(domain) {
            throw ONNXError.unsupported("operator set domain \(domain)")
        }
        // Refuse unknown operators and dangling references before running anything.
        var known = Set(constants.keys).union(inputNames)
        for (index, node) in model.graph.node.enumerated() {
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            guard Self.supportedOperators[domain]?.contains(node.opType) == true else {
                throw ONNXError.unsupported("operator \(domain.isEmpty ? "" : domain + ".")\(node.opType) (node \(index) \(node.name))")
            }
            for input in node.input where !input.isEmpty && !known.contains(input) {
                throw ONNXError.malformed("node \(index) (\(node.opType)) reads \(input), which nothing before it produces")
            }
            known.formUnion(node.output.filter { !$0.isEmpty })
        }
        for output in outputNames where !known.contains(output) {
            throw ONNXError.malformed("graph output \(output) is produced by no node")
        }
        var prepared = [Int: ONNXPreparedNode]()
        let computed = Set(model.graph.node.flatMap(\.output))
        for (index, node) in model.graph.node.enumerated() {
            if let ready = ONNXPreparedNode(node, constants: constants, computed: computed) { prepared[index] = ready }
        }
        self.prepared = prepared
    }

    public init(data: Data) throws { try self.init(model: ONNXModelFile.decode(data)) }

    /// Declared shape of a graph input (nil for a symbolic dimension such as the batch).
    public func inputShape(_ name: String) -> [Int?]? {
        guard let info = model.graph.input.first(where: { $0.name == name }), info.type.tensorType.hasShape else { return nil }
        return info.type.tensorType.shape.dim.map { dim in
            if case .dimValue(let v)? = dim.value { return Int(v) }
            return nil
        }
    }

    /// Runs the graph; returns every graph output by name.
    public func run(_ inputs: [String: ONNXTensor]) throws -> [String: ONNXTensor] {
        var values = constants
        for name in inputNames {
            guard let given = inputs[name] else { throw ONNXError.invalidInput("missing graph input \(name)") }
            if let declared = inputShape(name) {
                guard declared.count == given.rank, zip(declared, given.shape).allSatisfy({ $0.0 == nil || $0.0 == $0.1 }) else {
                    throw ONNXError.invalidInput("input \(name) has shape \(given.shape), the graph declares \(declared.map { $0.map(String.init) ?? "?" })")
                }
            }
            values[name] = given
        }
        for (index, node) in model.graph.node.enumerated() {
            let args = try node.input.map { name -> ONNXTensor? in
                if name.isEmpty { return nil }
                guard let v = values[name] else { throw ONNXError.malformed("node \(index) reads \(name) before it is produced") }
                return v
            }
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            let table = domain.isEmpty ? ONNXOperators.standard : ONNXOperators.machineLearning
            guard let op = table[node.opType] else { throw ONNXError.unsupported("operator \(node.opType)") }
            let results: [ONNXTensor]
            do {
                results = try op(ONNXNodeContext(node: node, inputs: args, prepared: prepared[index]))
            } catch let error as ONNXError {
                throw Self.located(error, node: node, index: index)
            }
            for (name, value) in zip(node.output, results) where !name.isEmpty { values[name] = value }
        }
        var outputs = [String: ONNXTensor]()
        for name in outputNames {
            guard let v = values[name] else { throw ONNXError.malformed("graph output \(name) was not produced") }
            outputs[name] = v
        }
        return outputs
    }

    /// The first output for a single Float32 input (the common case of a forecaster or regressor).
    public func runSingle(_ input: ONNXTensor) throws -> ONNXTensor {
        guard inputNames.count == 1 else { throw ONNXError.invalidInput("the graph takes \(inputNames.count) inputs, not one") }
        return try run([inputNames[0]: input])[outputNames[0]]!
    }

    private static func located(_ error: ONNXError, node: Onnx_NodeProto, index: Int) -> ONNXError {
        let at = "node \(index) \(node.opType)\(node.name.isEmpty ? "" : " '\(node.name)'")"
        switch error {
        case .malformed(let m): return .malformed("\(at): \(m)")
        case .unsupported(let m): return .unsupported("\(at): \(m)")
        case .invalidInput(let m): return .invalidInput("\(at): \(m)")
        default: return error
        }
    }
}

/// One node's attributes and inputs, with typed, checked accessors.
struct ONNXNodeContext {
    let node: Onnx_NodeProto
    let inputs: [ONNXTensor?]
    var prepared: ONNXPreparedNode? = nil

    func input(_ i: Int) throws -> ONNXTensor {
        guard i < inputs.count, let t = inputs[i] else { throw ONNXError.malformed("input \(i) is required") }
        return t
    }

    func optionalInput(_ i: Int) -> ONNXTensor? { i < inputs.count ? inputs[i] : nil }

    func attribute(_ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }

    func int(_ name: String, default value: Int64) -> Int64 { attribute(name).map { $0.i } ?? value }
    func float(_ name: String, default value: Float) -> Float { attribute(name).map { $0.f } ?? value }
    func ints(_ name: String) -> [Int64]? { attribute(name).map { $0.ints } }
    func floats(_ name: String) -> [Float]? {
        guard let a = attribute(name) else { return nil }
        if !a.floats.isEmpty { return a.floats }
        if a.hasT, let t = try? ONNXTensor(proto: a.t) { return t.floats }
        return a.floats
    }
    func string(_ name: String, default value: String) -> String {
        attribute(name).map { String(decoding: $0.s, as: UTF8.self) } ?? value
    }
    func strings(_ name: String) -> [String]? { attribute(name).map { $0.strings.map { String(decoding: $0, as: UTF8.self) } } }

    func requiredInts(_ name: String) throws -> [Int64] {
        guard let v = ints(name) else { throw ONNXError.malformed("attribute \(name) is required") }
        return v
    }
    func requiredFloats(_ name: String) throws -> [Float] {
        guard let v = floats(name) else { throw ONNXError.malformed("attribute \(name) is required") }
        return v
    }
}

/// Normalises a possibly negative axis against `rank`.
func normalizedAxis(_ axis: Int64, rank: Int) throws -> Int {
    let a = axis < 0 ? Int(axis) + rank : Int(axis)
    guard a >= 0, a < max(rank, 1) else { throw ONNXError.malformed("axis \(axis) out of range for rank \(rank)") }
    return a
}
