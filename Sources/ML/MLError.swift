/// Errors raised by the ML engine; each names what is wrong so callers can show it as is.
public enum MLError: Error, Equatable, CustomStringConvertible {
    /// Two tensors whose shapes cannot be combined by the named operation.
    case shapeMismatch(String)
    /// A model or data file that cannot be read as MLedger wrote it.
    case invalidFile(String)
    /// Input data (CSV rows, prediction windows, options) that the engine rejects.
    case invalidInput(String)
    /// Training stopped because its job was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .shapeMismatch(let m): return "shape mismatch: \(m)"
        case .invalidFile(let m): return "invalid file: \(m)"
        case .invalidInput(let m): return "invalid input: \(m)"
        case .cancelled: return "cancelled"
        }
    }
}
