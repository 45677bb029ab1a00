import Foundation
import ML
import Primitives

/// ONNX → native: recognises the layer stack of a graph (as MLedger's exporter and torch.onnx
/// write GRU, LSTM and MLP models) and rebuilds it as a `NativeNetwork` with PyTorch's
/// parameter layout. Layout glue (Transpose, Squeeze, Unsqueeze, Reshape, Shape, Gather,
/// Slice, Concat, Constant, Identity, Cast) is read only to spot the last-time-step selection;
/// the caller checks the result against MLedger's evaluation of the graph (the certificate),
/// so a mis-read graph is caught, never silently accepted.
public enum ONNXImporter {
    /// Builds the native network; `modelName` names the architecture when the file carries none.
    public static func nativeNetwork(_ model: Onnx_ModelProto, modelName: String = "imported-onnx") throws -> NativeNetwork {
        let evaluator = try ONNXEvaluator(model: model)
        guard evaluator.inputNames.count == 1 else {
            throw ONNXError.unsupported("\(evaluator.inputNames.count) graph inputs; native import takes one")
        }
        let constants = evaluator.constants.merging(try constantNodes(model)) { a, _ in a }
        func weight(_ node: Onnx_NodeProto, _ i: Int) throws -> ONNXTensor {
            guard i < node.input.count, let t = constants[node.input[i]] else {
                throw ONNXError.unsupported("\(node.opType) input \(i) is computed, not a stored weight")
            }
            return t
        }
        var layers = [JSONValue]()
        var state = [String: Tensor]()
        var recurrentCount = 0, linearCount = 0
        var openRecurrent: (type: String, name: String, input: Int, hidden: Int, count: Int)?
        var pendingLastStep = false
        var sawRecurrent = false
        func closeRecurrent() {
            guard let r = openRecurrent else { return }
            layers.append(.object(["name": .string(r.name), "type": .string(r.type), "input_size": .int(r.input), "hidden_size": .int(r.hidden),
                                   "num_layers": .int(r.count), "batch_first": .bool(true), "bias": .bool(true)]))
            openRecurrent = nil
        }
        func beforeDense() {
            closeRecurrent()
            if pendingLastStep { layers.append(.object(["type": .string("last_time_step")])) }
            pendingLastStep = false
        }
        let nodes = model.graph.node
        var skip = Set<Int>()
        // Values computed from a recurrent node's outputs: a Gather or Slice of one of them is
        // the last-time-step selection (not the slicing of initial states).
        var sequenceDerived = Set<String>()
        for (index, node) in nodes.enumerated() where !skip.contains(index) {
            let c = ONNXNodeContext(node: node, inputs: [])
            if node.opType == "GRU" || node.opType == "LSTM" || node.input.contains(where: sequenceDerived.contains) {
                sequenceDerived.formUnion(node.output)
            }
            switch node.opType {
            case "GRU", "LSTM":
                let isGRU = node.opType == "GRU"
                let gates = isGRU ? 3 : 4
                guard c.string("direction", default: "forward") == "forward" else { throw ONNXError.unsupported("\(node.opType) direction") }
                if isGRU, c.int("linear_before_reset", default: 0) != 1 {
                    throw ONNXError.unsupported("GRU with linear_before_reset=0 has no PyTorch-layout native form (the evaluator runs it)")
                }
                let W = try weight(node, 1), R = try weight(node, 2)
                let hidden = Int(c.int("hidden_size", default: 0))
                guard hidden > 0, W.rank == 3, W.shape[1] == gates * hidden, R.shape == [1, gates * hidden, hidden] else {
                    throw ONNXError.malformed("\(node.opType) weights \(W.shape), \(R.shape) for hidden_size \(hidden)")
                }
                let inputSize = W.shape[2]
                // Native layers start from zero states: a stored non-zero initial state has no native form.
                for i in [5, 6] where i < node.input.count && !node.input[i].isEmpty {
                    if let stored = constants[node.input[i]], stored.floats.contains(where: { $0 != 0 }) {
                        throw ONNXError.unsupported("\(node.opType) with a stored non-zero initial state")
                    }
                }
                let B = node.input.count > 3 && !node.input[3].isEmpty ? try weight(node, 3).floats : [Float](repeating: 0, count: 2 * gates * hidden)
                let type = isGRU ? "gru" : "lstm"
                if let open = openRecurrent, open.type == type, open.hidden == inputSize, open.hidden == hidden {
                    openRecurrent!.count += 1
                } else {
                    beforeDense()
                    recurrentCount += 1
                    openRecurrent = (type, recurrentCount == 1 ? type : "\(type)\(recurrentCount)", inputSize, hidden, 1)
                }
                sawRecurrent = true
                let r = openRecurrent!
                let l = r.count - 1
                // ONNX order back to PyTorch's: GRU z,r,h → r,z,n; LSTM i,o,f,c → i,f,g,o.
                let back = isGRU ? [1, 0, 2] : [0, 2, 3, 1]
                state["\(r.name).weight_ih_l\(l)"] = blocks(W.floats, back, rows: hidden, columns: inputSize)
                state["\(r.name).weight_hh_l\(l)"] = blocks(R.floats, back, rows: hidden, columns: hidden)
                state["\(r.name).bias_ih_l\(l)"] = blocks(Array(B[0..<(gates * hidden)]), back, rows: hidden, columns: 1).reshaped([gates * hidden])
                state["\(r.name).bias_hh_l\(l)"] = blocks(Array(B[(gates * hidden)...]), back, rows: hidden, columns: 1).reshaped([gates * hidden])
            case "Gemm":
                beforeDense()
                guard c.float("alpha", default: 1) == 1, c.float("beta", default: 1) == 1, c.int("transA", default: 0) == 0 else {
                    throw ONNXError.unsupported("Gemm with alpha/beta ≠ 1 or transA")
                }
                let W = try weight(node, 1)
                guard W.rank == 2 else { throw ONNXError.malformed("Gemm weight \(W.shape)") }
                let weightRows = c.int("transB", default: 0) == 1 ? W : transpose(W)
                let bias = node.input.count > 2 && !node.input[2].isEmpty ? try weight(node, 2) : nil
                linearCount += 1
                try appendLinear("fc\(linearCount)", weightRows, bias)
            case "MatMul":
                beforeDense()
                let W = try weight(node, 1)
                guard W.rank == 2 else { throw ONNXError.unsupported("MatMul with a \(W.rank)-d weight") }
                var bias: ONNXTensor?
                // The bias Add right after, with the product on either side.
                if index + 1 < nodes.count, nodes[index + 1].opType == "Add", let product = node.output.first,
                   let side = nodes[index + 1].input.firstIndex(of: product), nodes[index + 1].input.count == 2 {
                    bias = try weight(nodes[index + 1], 1 - side)
                    skip.insert(index + 1)
                }
                linearCount += 1
                try appendLinear("fc\(linearCount)", transpose(W), bias)
            case "Relu", "Tanh", "Sigmoid":
                beforeDense()
                layers.append(.object(["type": .string(node.opType.lowercased())]))
            case "Gather", "Slice":
                if let data = node.input.first, sequenceDerived.contains(data) { pendingLastStep = true }
            case "Squeeze":
                // Squeezing a recurrent node's Y_h (its second output) is the last time step.
                if sawRecurrent, let source = producer(of: node.input.first ?? "", in: nodes), source.node.opType == "GRU" || source.node.opType == "LSTM",
                   source.output == 1 {
                    pendingLastStep = true
                }
            case "Transpose", "Unsqueeze", "Reshape", "Shape", "Concat", "Constant", "ConstantOfShape", "Identity", "Cast", "Flatten":
                continue
            default:
                throw ONNXError.unsupported("operator \(node.opType) has no native layer (the evaluator runs the graph as is)")
            }
        }
        closeRecurrent()
        if pendingLastStep { layers.append(.object(["type": .string("last_time_step")])) }

        func appendLinear(_ name: String, _ weightRows: ONNXTensor, _ bias: ONNXTensor?) throws {
            let out = weightRows.shape[0], inp = weightRows.shape[1]
            if let bias, bias.count != out { throw ONNXError.malformed("bias of \(bias.count) values for \(out) outputs") }
            layers.append(.object(["name": .string(name), "type": .string("linear"), "in_features": .int(inp), "out_features": .int(out),
                                   "bias": .bool(bias != nil)]))
            state["\(name).weight"] = Tensor(shape: [out, inp], scalars: weightRows.floats)
            if let bias { state["\(name).bias"] = Tensor(shape: [out], scalars: bias.floats) }
        }

        var input: [String: JSONValue] = [:]
        let declared = evaluator.inputShape(evaluator.inputNames[0]) ?? []
        if sawRecurrent {
            guard declared.count == 3, let window = declared[1], let features = declared[2] else {
                throw ONNXError.unsupported("a recurrent graph needs a fixed input shape [batch, window, features], declared \(declared)")
            }
            input = ["window": .int(window), "features": .int(features)]
        } else if declared.count == 2, let features = declared[1] {
            input = ["features": .int(features)]
        }
        let metadataArchitecture = model.metadataProps.first { $0.key == ONNXExporter.MetadataKey.architecture }
            .flatMap { JSONValue.parse(Array($0.value.utf8)) }
        let architecture: JSONValue = .object([
            "name": .string(modelName), "format": .string("mledger-ml/1"), "input": .object(input), "layers": .array(layers),
        ])
        // A file MLedger exported carries its own architecture: keep its names when the layer
        // structure read from the graph is the same, so weights keep their original names.
        if let original = metadataArchitecture, let renamed = rename(state: state, from: layers, to: original) {
            if let network = try? NativeNetwork(architecture: original, stateDict: renamed) { return network }
        }
        return try NativeNetwork(architecture: architecture, stateDict: state)
    }

    /// Constant nodes' values (torch.onnx writes some weights and indices that way).
    static func constantNodes(_ model: Onnx_ModelProto) throws -> [String: ONNXTensor] {
        var values = [String: ONNXTensor]()
        for node in model.graph.node where node.opType == "Constant" {
            if let out = node.output.first, let t = try? ONNXOperators.constant(ONNXNodeContext(node: node, inputs: [])).first { values[out] = t }
        }
        return values
    }

    static func producer(of name: String, in nodes: [Onnx_NodeProto]) -> (node: Onnx_NodeProto, output: Int)? {
        for node in nodes { if let i = node.output.firstIndex(of: name) { return (node, i) } }
        return nil
    }

    /// `[gates·rows, columns]` (flat) with its gate blocks taken in `order`.
    static func blocks(_ values: [Float], _ order: [Int], rows: Int, columns: Int) -> Tensor {
        var out = [Float]()
        out.reserveCapacity(values.count)
        for b in order { out += values[(b * rows * columns)..<((b + 1) * rows * columns)] }
        return Tensor(shape: [order.count * rows, columns], scalars: out)
    }

    static func transpose(_ t: ONNXTensor) -> ONNXTensor {
        ONNXTensor(shape: [t.shape[1], t.shape[0]], floats: ONNXRecurrent.transposed(t.floats, rows: t.shape[0], columns: t.shape[1]))
    }

    /// Maps generated layer names onto the names of `original` when both list the same layer types in order.
    static func rename(state: [String: Tensor], from layers: [JSONValue], to original: JSONValue) -> [String: Tensor]? {
        guard let target = original["layers"]?.arrayValue, target.count == layers.count else { return nil }
        var renamed = [String: Tensor]()
        for (mine, theirs) in zip(layers, target) {
            guard mine["type"] == theirs["type"] else { return nil }
            guard let from = mine["name"]?.stringValue else { continue }
            guard let to = theirs["name"]?.stringValue else { return nil }
            for (key, value) in state where key.hasPrefix(from + ".") { renamed[to + key.dropFirst(from.count)] = value }
        }
        return renamed.count == state.count ? renamed : nil
    }
}
