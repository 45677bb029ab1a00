import LedgerCrypto
import Foundation
import ML
import Primitives

/// The evidence that an ONNX file computes what a native model computes: both run on the same
/// 64 seeded reference inputs (zeros, ones, extremes, then uniform draws), and the largest
/// absolute and relative differences are recorded with the inputs and the native outputs, so
/// anyone holding the ONNX file can re-run the check (`verify`). Its canonical JSON is stored
/// beside the translated model and its Keccak-256 anchored in the child record.
public struct EquivalenceCertificate: Sendable {
    public static let format = "mledger-onnx-certificate/1"
    public static let referenceInputCount = 64
    /// Per element: |native − onnx| ≤ absoluteTolerance + relativeTolerance·|native|.
    public static let absoluteTolerance: Float = 1e-5
    public static let relativeTolerance: Float = 1e-5

    public var sourceWeightsHash: String
    public var sourceModelId: String
    public var onnxHash: String
    public var opset: Int64
    public var seed: UInt64
    public var inputShape: [Int]
    public var inputs: [Float]
    public var outputShape: [Int]
    public var nativeOutputs: [Float]
    public var maxAbsoluteError: Float
    public var maxRelativeError: Float
    public var equivalent: Bool

    /// Inputs `[64] + rowShape`: row 0 zeros, rows 1–6 constant ±1, ±10, ±100, row 7
    /// alternating ±1, the rest uniform in [−2, 2] from `seed`.
    public static func referenceInputs(rowShape: [Int], seed: UInt64) -> Tensor {
        let width = rowShape.reduce(1, *)
        var generator = SeededGenerator(seed: seed)
        var values = [Float]()
        values.reserveCapacity(referenceInputCount * width)
        let constants: [Float] = [0, 1, -1, 10, -10, 100, -100]
        for row in 0..<referenceInputCount {
            for i in 0..<width {
                if row < constants.count { values.append(constants[row]) }
                else if row == constants.count { values.append(i % 2 == 0 ? 1 : -1) }
                else { values.append(generator.uniform(-2, 2)) }
            }
        }
        return Tensor(shape: [referenceInputCount] + rowShape, scalars: values)
    }

    /// Largest absolute and relative (to |native|, floored at 1e-6) differences, and whether
    /// every element is within tolerance.
    static func compare(native: [Float], onnx: [Float]) -> (abs: Float, rel: Float, ok: Bool) {
        guard native.count == onnx.count else { return (.infinity, .infinity, false) }
        var worstAbs: Float = 0, worstRel: Float = 0, ok = true
        for (a, b) in zip(native, onnx) {
            let d = abs(a - b)
            guard d.isFinite || a == b else { return (.infinity, .infinity, false) }
            worstAbs = max(worstAbs, d)
            worstRel = max(worstRel, d / max(abs(a), 1e-6))
            if d > absoluteTolerance + relativeTolerance * abs(a) { ok = false }
        }
        return (worstAbs, worstRel, ok)
    }

    /// Runs `network` and MLedger's evaluator of `onnxBytes` on the reference inputs.
    public static func make(network: NativeNetwork, onnxBytes: Data, sourceModelId: String, sourceWeightsHash: String,
                            seed: UInt64 = 0x4d4c_6564_6765_72) throws -> EquivalenceCertificate {
        let model = try ONNXModelFile.decode(onnxBytes)
        let evaluator = try ONNXEvaluator(model: model)
        let inputs = referenceInputs(rowShape: network.inputRowShape, seed: seed)
        let native = try network.forward(inputs)
        let evaluated = try evaluator.runSingle(ONNXTensor(shape: inputs.shape, floats: inputs.scalars))
        guard evaluated.shape == native.shape else {
            throw ONNXError.translation("the ONNX graph gives shape \(evaluated.shape), the native model \(native.shape)")
        }
        let (worstAbs, worstRel, ok) = compare(native: native.scalars, onnx: evaluated.floats)
        return EquivalenceCertificate(
            sourceWeightsHash: sourceWeightsHash, sourceModelId: sourceModelId,
            onnxHash: hashText(onnxBytes), opset: ONNXModelFile.opset(model), seed: seed,
            inputShape: inputs.shape, inputs: inputs.scalars, outputShape: native.shape, nativeOutputs: native.scalars,
            maxAbsoluteError: worstAbs, maxRelativeError: worstRel, equivalent: ok)
    }

    /// Re-evaluates `onnxBytes` on the recorded inputs and checks the file hash and the
    /// recorded native outputs; returns the errors found now.
    public func verify(onnxBytes: Data) throws -> (maxAbsoluteError: Float, equivalent: Bool) {
        let hash = Self.hashText(onnxBytes)
        guard hash == onnxHash else { throw ONNXError.translation("the ONNX file hashes to \(hash), the certificate names \(onnxHash)") }
        let evaluator = try ONNXEvaluator(model: ONNXModelFile.decode(onnxBytes))
        let out = try evaluator.runSingle(ONNXTensor(shape: inputShape, floats: inputs))
        guard out.shape == outputShape else { return (.infinity, false) }
        let (worstAbs, _, ok) = Self.compare(native: nativeOutputs, onnx: out.floats)
        return (worstAbs, ok)
    }

    /// Keccak-256 of a file as 0x-prefixed hex.
    public static func hashText(_ bytes: Data) -> String { Keccak256.hash([UInt8](bytes)).description }

    static func number(_ f: Float) -> JSONValue { .double(Double(f)) }

    public var json: JSONValue {
        .object([
            "format": .string(Self.format),
            "source": .object(["model_id": .string(sourceModelId), "weights_keccak256": .string(sourceWeightsHash)]),
            "onnx": .object(["keccak256": .string(onnxHash), "opset": .integer(opset)]),
            "reference": .object([
                "seed": .string(String(seed)),
                "count": .int(inputShape.first ?? 0),
                "input_shape": .array(inputShape.map { .int($0) }),
                "inputs": .array(inputs.map(Self.number)),
                "output_shape": .array(outputShape.map { .int($0) }),
                "native_outputs": .array(nativeOutputs.map(Self.number)),
            ]),
            "max_abs_error": Self.number(maxAbsoluteError),
            "max_rel_error": Self.number(maxRelativeError),
            "tolerance": .object(["abs": Self.number(Self.absoluteTolerance), "rel": Self.number(Self.relativeTolerance)]),
            "equivalent": .bool(equivalent),
        ])
    }

    /// The canonical JSON text: what is stored and what the anchored hash covers.
    public var canonicalJSON: String { json.canonicalString }
    public var keccak: Hash32 { Keccak256.hash(Array(canonicalJSON.utf8)) }

    public init(json: JSONValue) throws {
        func floats(_ v: JSONValue?) throws -> [Float] {
            guard let items = v?.arrayValue else { throw ONNXError.translation("certificate: missing number array") }
            return try items.map { item in
                guard let d = item.doubleValue else { throw ONNXError.translation("certificate: non-number in an array") }
                return Float(d)
            }
        }
        func ints(_ v: JSONValue?) throws -> [Int] {
            guard let items = v?.arrayValue else { throw ONNXError.translation("certificate: missing shape") }
            return try items.map { guard let i = $0.intValue, i >= 0 else { throw ONNXError.translation("certificate: bad shape") }; return i }
        }
        guard json["format"]?.stringValue == Self.format,
              let onnxHash = json["onnx"]?["keccak256"]?.stringValue, let opset = json["onnx"]?["opset"]?.integerValue,
              let reference = json["reference"], let seedText = reference["seed"]?.stringValue, let seed = UInt64(seedText)
        else { throw ONNXError.translation("not a \(Self.format) document") }
        self.sourceWeightsHash = json["source"]?["weights_keccak256"]?.stringValue ?? ""
        self.sourceModelId = json["source"]?["model_id"]?.stringValue ?? ""
        self.onnxHash = onnxHash
        self.opset = opset
        self.seed = seed
        inputShape = try ints(reference["input_shape"])
        inputs = try floats(reference["inputs"])
        outputShape = try ints(reference["output_shape"])
        nativeOutputs = try floats(reference["native_outputs"])
        guard inputShape.reduce(1, *) == inputs.count, outputShape.reduce(1, *) == nativeOutputs.count else {
            throw ONNXError.translation("certificate: shapes do not match the recorded values")
        }
        maxAbsoluteError = Float(json["max_abs_error"]?.doubleValue ?? .infinity)
        maxRelativeError = Float(json["max_rel_error"]?.doubleValue ?? .infinity)
        equivalent = json["equivalent"]?.boolValue ?? false
    }

    init(sourceWeightsHash: String, sourceModelId: String, onnxHash: String, opset: Int64, seed: UInt64, inputShape: [Int],
         inputs: [Float], outputShape: [Int], nativeOutputs: [Float], maxAbsoluteError: Float, maxRelativeError: Float, equivalent: Bool) {
        self.sourceWeightsHash = sourceWeightsHash
        self.sourceModelId = sourceModelId
        self.onnxHash = onnxHash
        self.opset = opset
        self.seed = seed
        self.inputShape = inputShape
        self.inputs = inputs
        self.outputShape = outputShape
        self.nativeOutputs = nativeOutputs
        self.maxAbsoluteError = maxAbsoluteError
        self.maxRelativeError = maxRelativeError
        self.equivalent = equivalent
    }

    /// One line for the CLI.
    public var summary: String {
        String(format: "certificate: %d reference inputs, max abs error %.3g, max rel error %.3g, opset %lld, onnx keccak256 %@ — %@",
               inputShape.first ?? 0, Double(maxAbsoluteError), Double(maxRelativeError), opset, onnxHash,
               equivalent ? "equivalent" : "NOT equivalent")
    }
}
