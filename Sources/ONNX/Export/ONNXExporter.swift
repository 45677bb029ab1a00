import Foundation
import ML
import Primitives

/// Translates a `NativeNetwork` into an ONNX model (opset 17, batch dimension `batch`):
///
/// - batch-first input `[batch, window, features]` → Transpose to time-major for the recurrent
///   stack, one GRU/LSTM node per layer (Y squeezed to `[time, batch, hidden]` between layers);
/// - GRU: PyTorch's gate blocks r, z, n become ONNX's z, r, h, `B = [Wb, Rb]`,
///   `linear_before_reset = 1` (PyTorch applies the reset gate after the recurrent product);
/// - LSTM: i, f, g, o become i, o, f, c;
/// - last time step: the top layer's `Y_h`, squeezed to `[batch, hidden]`;
/// - linear: Gemm (`transB = 1`) on matrices, MatMul + Add on sequences;
/// - metadata_props: source model id, source weights hash, MLedger version, the architecture.
public enum ONNXExporter {
    public static let opset: Int64 = 17
    public static let irVersion: Int64 = 8
    public static let inputName = "input"
    public static let outputName = "output"

    public struct Provenance: Sendable {
        public var sourceModelId: String
        public var sourceWeightsHash: String
        public var mledgerVersion: String
        public init(sourceModelId: String, sourceWeightsHash: String, mledgerVersion: String) {
            self.sourceModelId = sourceModelId
            self.sourceWeightsHash = sourceWeightsHash
            self.mledgerVersion = mledgerVersion
        }
    }

    /// Metadata keys written into every exported file.
    public enum MetadataKey {
        public static let sourceModelId = "mledger.source_model_id"
        public static let sourceWeightsHash = "mledger.source_weights_keccak256"
        public static let version = "mledger.version"
        public static let architecture = "mledger.architecture"
    }

    public static func export(_ network: NativeNetwork, provenance: Provenance) throws -> Onnx_ModelProto {
        var builder = GraphBuilder()
        var current = inputName
        // Layout of `current`: batch-first rows, batch-first sequence, or time-major sequence.
        enum Layout { case rows, batchFirst, timeMajor }
        var layout: Layout = network.isRecurrent ? .batchFirst : .rows
        var lastHidden: String?
        func timeMajor() {
            if layout == .batchFirst { current = builder.node("Transpose", [current], attributes: [.ints("perm", [1, 0, 2])]); layout = .timeMajor }
        }
        func batchFirst() {
            if layout == .timeMajor { current = builder.node("Transpose", [current], attributes: [.ints("perm", [1, 0, 2])]); layout = .batchFirst }
        }
        for layer in network.layers {
            switch layer {
            case .gru(let name, let gru):
                timeMajor()
                for (l, w) in gru.layers.enumerated() {
                    let h = gru.hiddenSize, order = [1, 0, 2]
                    let W = builder.initializer("\(name).W_l\(l)", reorder(w.weightIH.value, blocks: order, hidden: h, leading: true))
                    let R = builder.initializer("\(name).R_l\(l)", reorder(w.weightHH.value, blocks: order, hidden: h, leading: true))
                    let B = builder.initializer("\(name).B_l\(l)", bias(w.biasIH.value, w.biasHH.value, blocks: order, hidden: h))
                    let outs = builder.multiNode("GRU", [current, W, R, B], outputs: 2,
                                                 attributes: [.int("hidden_size", Int64(h)), .int("linear_before_reset", 1)])
                    current = builder.node("Squeeze", [outs[0], builder.constantInts([1])])
                    lastHidden = outs[1]
                }
            case .lstm(let name, let lstm):
                timeMajor()
                for (l, w) in lstm.layers.enumerated() {
                    let h = lstm.hiddenSize, order = [0, 3, 1, 2]
                    let W = builder.initializer("\(name).W_l\(l)", reorder(w.weightIH.value, blocks: order, hidden: h, leading: true))
                    let R = builder.initializer("\(name).R_l\(l)", reorder(w.weightHH.value, blocks: order, hidden: h, leading: true))
                    let B = builder.initializer("\(name).B_l\(l)", bias(w.biasIH.value, w.biasHH.value, blocks: order, hidden: h))
                    let outs = builder.multiNode("LSTM", [current, W, R, B], outputs: 3, attributes: [.int("hidden_size", Int64(h))])
                    current = builder.node("Squeeze", [outs[0], builder.constantInts([1])])
                    lastHidden = outs[1]
                }
            case .lastTimeStep:
                if let hidden = lastHidden, layout == .timeMajor {
                    current = builder.node("Squeeze", [hidden, builder.constantInts([0])])
                } else {
                    batchFirst()
                    current = builder.node("Gather", [current, builder.constantInts([-1], scalar: true)], attributes: [.int("axis", 1)])
                }
                lastHidden = nil
                layout = .rows
            case .linear(let name, let linear):
                batchFirst()
                lastHidden = nil
                let weight = linear.weight.value
                if layout == .rows {
                    var inputs = [current, builder.initializer("\(name).weight", ONNXTensor(shape: weight.shape, floats: weight.scalars))]
                    if let b = linear.bias { inputs.append(builder.initializer("\(name).bias", ONNXTensor(shape: b.shape, floats: b.value.scalars))) }
                    current = builder.node("Gemm", inputs, attributes: [.int("transB", 1)])
                } else {
                    let (out, inp) = (weight.shape[0], weight.shape[1])
                    let wT = ONNXRecurrent.transposed(weight.scalars, rows: out, columns: inp)
                    current = builder.node("MatMul", [current, builder.initializer("\(name).weight_t", ONNXTensor(shape: [inp, out], floats: wT))])
                    if let b = linear.bias {
                        current = builder.node("Add", [current, builder.initializer("\(name).bias", ONNXTensor(shape: b.shape, floats: b.value.scalars))])
                    }
                }
            case .relu: current = builder.node("Relu", [current])
            case .tanh: current = builder.node("Tanh", [current])
            case .sigmoid: current = builder.node("Sigmoid", [current])
            }
        }
        batchFirst()
        current = builder.node("Identity", [current], named: outputName)

        var graph = Onnx_GraphProto()
        graph.name = network.architecture["name"]?.stringValue ?? "mledger-model"
        graph.node = builder.nodes
        graph.initializer = builder.initializers
        graph.input = [valueInfo(inputName, dims: [nil] + network.inputRowShape.map { Optional($0) })]
        let outputWidth = try network.forward(Tensor.zeros([1] + network.inputRowShape)).shape.dropFirst()
        graph.output = [valueInfo(outputName, dims: [nil] + outputWidth.map { Optional($0) })]

        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        model.producerName = "mledger"
        model.producerVersion = provenance.mledgerVersion
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Self.opset
        model.opsetImport = [opset]
        model.graph = graph
        model.metadataProps = [
            (MetadataKey.sourceModelId, provenance.sourceModelId),
            (MetadataKey.sourceWeightsHash, provenance.sourceWeightsHash),
            (MetadataKey.version, provenance.mledgerVersion),
            (MetadataKey.architecture, network.architecture.canonicalString),
        ].map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return model
    }

    /// `[gates·hidden, columns]` with its gate blocks put in `blocks` order, as `[1, gates·hidden, columns]`.
    static func reorder(_ t: Tensor, blocks: [Int], hidden: Int, leading: Bool) -> ONNXTensor {
        let columns = t.count / (blocks.count * hidden)
        var out = [Float]()
        out.reserveCapacity(t.count)
        for b in blocks { out += t.scalars[(b * hidden * columns)..<((b + 1) * hidden * columns)] }
        return ONNXTensor(shape: leading ? [1, blocks.count * hidden, columns] : [blocks.count * hidden, columns], floats: out)
    }

    static func bias(_ input: Tensor, _ recurrent: Tensor, blocks: [Int], hidden: Int) -> ONNXTensor {
        let a = reorder(input.reshaped([input.count, 1]), blocks: blocks, hidden: hidden, leading: false).floats
        let b = reorder(recurrent.reshaped([recurrent.count, 1]), blocks: blocks, hidden: hidden, leading: false).floats
        return ONNXTensor(shape: [1, a.count + b.count], floats: a + b)
    }

    static func valueInfo(_ name: String, dims: [Int?]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = ONNXElementType.float
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = Int64(d) } else { dim.dimParam = "batch" }
            return dim
        }
        tensorType.shape = shape
        info.type.tensorType = tensorType
        return info
    }
}

/// Collects nodes and initializers with generated, unique value names.
struct GraphBuilder {
    enum Attribute {
        case int(String, Int64)
        case ints(String, [Int64])
    }

    var nodes = [Onnx_NodeProto]()
    var initializers = [Onnx_TensorProto]()
    private var counter = 0

    mutating func fresh(_ op: String) -> String {
        counter += 1
        return "\(op.lowercased())_\(counter)"
    }

    mutating func initializer(_ name: String, _ tensor: ONNXTensor) -> String {
        initializers.append(tensor.proto(name: name))
        return name
    }

    mutating func constantInts(_ values: [Int64], scalar: Bool = false) -> String {
        initializer(fresh("const"), ONNXTensor(shape: scalar ? [] : [values.count], ints: values))
    }

    mutating func multiNode(_ op: String, _ inputs: [String], outputs: Int, attributes: [Attribute] = []) -> [String] {
        var node = Onnx_NodeProto()
        node.opType = op
        let base = fresh(op)
        node.name = base
        node.input = inputs
        node.output = (0..<outputs).map { "\(base)_out\($0)" }
        node.attribute = attributes.map { a in
            var proto = Onnx_AttributeProto()
            switch a {
            case .int(let name, let v): proto.name = name; proto.type = .int; proto.i = v
            case .ints(let name, let v): proto.name = name; proto.type = .ints; proto.ints = v
            }
            return proto
        }
        nodes.append(node)
        return node.output
    }

    mutating func node(_ op: String, _ inputs: [String], attributes: [Attribute] = [], named: String? = nil) -> String {
        let out = multiNode(op, inputs, outputs: 1, attributes: attributes)[0]
        guard let named else { return out }
        nodes[nodes.count - 1].output = [named]
        return named
    }
}
