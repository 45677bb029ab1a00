/// What goes wrong reading, evaluating, exporting or importing an ONNX model; every message
/// names the file part, node or operator at fault.
public enum ONNXError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The bytes are not a well-formed ONNX model (truncated, oversized, not protobuf, inconsistent).
    case malformed(String)
    /// A well-formed model that uses something MLedger does not evaluate.
    case unsupported(String)
    /// Inputs given to a model do not fit its graph.
    case invalidInput(String)
    /// A native model cannot be translated (architecture or weights do not fit).
    case translation(String)
    /// A PyTorch checkpoint that cannot or must not be read.
    case checkpoint(String)

    public var description: String {
        switch self {
        case .malformed(let m): return "malformed ONNX model: \(m)"
        case .unsupported(let m): return "unsupported ONNX model: \(m)"
        case .invalidInput(let m): return "invalid input: \(m)"
        case .translation(let m): return "translation failed: \(m)"
        case .checkpoint(let m): return "checkpoint refused: \(m)"
        }
    }
}
