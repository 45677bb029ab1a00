/// Why the pool refused a transaction. `message` is the text other Ethereum nodes return
/// from `eth_sendRawTransaction` for the same rule, so clients that match on it keep working.
public enum TransactionPoolError: Error, Equatable, CustomStringConvertible {
    case alreadyKnown
    /// Bytes that are not a transaction (or not canonically encoded); the detail says why.
    case invalidEncoding(String)
    /// Blob transactions need blob sidecars, which a single-member ledger does not carry.
    case transactionTypeNotSupported
    case oversizedData(size: Int, limit: Int)
    case invalidChainId(expected: UInt64, got: UInt64)
    case invalidSender
    case nonceMax
    case tipAboveFeeCap
    case maxInitCodeSizeExceeded(size: Int, limit: Int)
    case exceedsBlockGasLimit(gasLimit: UInt64, blockGasLimit: UInt64)
    case intrinsicGasTooLow(required: UInt64, gasLimit: UInt64)
    case nonceTooLow(next: UInt64, got: UInt64)
    case insufficientFunds
    case replacementUnderpriced
    case accountLimitExceeded(limit: Int)
    case poolFull(limit: Int)

    /// The message clients see (the JSON-RPC error text of other Ethereum nodes).
    public var message: String {
        switch self {
        case .alreadyKnown: return "already known"
        case .invalidEncoding(let detail): return "invalid transaction encoding: \(detail)"
        case .transactionTypeNotSupported: return "transaction type not supported"
        case .oversizedData: return "oversized data"
        case .invalidChainId: return "invalid chain id"
        case .invalidSender: return "invalid sender"
        case .nonceMax: return "nonce has max value"
        case .tipAboveFeeCap: return "max priority fee per gas higher than max fee per gas"
        case .maxInitCodeSizeExceeded: return "max initcode size exceeded"
        case .exceedsBlockGasLimit: return "exceeds block gas limit"
        case .intrinsicGasTooLow: return "intrinsic gas too low"
        case .nonceTooLow: return "nonce too low"
        case .insufficientFunds: return "insufficient funds for gas * price + value"
        case .replacementUnderpriced: return "replacement transaction underpriced"
        case .accountLimitExceeded: return "account limit exceeded"
        case .poolFull: return "txpool is full"
        }
    }

    /// The message with the numbers behind it, for logs.
    public var description: String {
        switch self {
        case let .oversizedData(size, limit): return "\(message): \(size) bytes, limit \(limit)"
        case let .invalidChainId(expected, got): return "\(message): have \(got), want \(expected)"
        case let .maxInitCodeSizeExceeded(size, limit): return "\(message): code size \(size), limit \(limit)"
        case let .exceedsBlockGasLimit(gasLimit, blockGasLimit): return "\(message): \(gasLimit) > \(blockGasLimit)"
        case let .intrinsicGasTooLow(required, gasLimit): return "\(message): have \(gasLimit), want \(required)"
        case let .nonceTooLow(next, got): return "\(message): next nonce \(next), tx nonce \(got)"
        case let .accountLimitExceeded(limit), let .poolFull(limit): return "\(message): limit \(limit)"
        default: return message
        }
    }
}
