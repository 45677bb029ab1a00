/// Why a registry operation failed.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The row asked for does not exist.
    case notFound(String)
    /// The row exists but is not in the state the operation needs (a model finalized twice).
    case conflict(String)
    /// A row or column holds a value this version cannot read.
    case corrupt(String)

    public var description: String {
        switch self {
        case .notFound(let what): return "not found: \(what)"
        case .conflict(let what): return "conflict: \(what)"
        case .corrupt(let what): return "registry corrupt: \(what)"
        }
    }
}
