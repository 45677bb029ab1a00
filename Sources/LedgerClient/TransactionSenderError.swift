import Chain
import Primitives

/// Why a `TransactionSender` transaction did not take effect.
public enum TransactionSenderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The transaction reverted: at gas estimation (no hash yet) or once mined (receipt status 0).
    /// `reason` is the decoded revert message, obtained for a mined transaction by replaying it
    /// with `eth_call`; nil when the replay gave none.
    case reverted(transactionHash: Hash32?, reason: String?, data: [UInt8])
    /// A contract creation was mined without a contract address in its receipt.
    case noContractAddress(transactionHash: Hash32)
    /// The key could not sign (not a valid secp256k1 key).
    case signing(String)

    /// The revert message, when there is one.
    public var revertReason: String? {
        if case .reverted(_, let reason, _) = self { return reason }
        return nil
    }

    public var description: String {
        switch self {
        case let .reverted(hash, reason, _):
            return "execution reverted" + (reason.map { ": \($0)" } ?? "") + (hash.map { " (transaction \($0))" } ?? "")
        case .noContractAddress(let hash): return "creation \(hash) has no contract address in its receipt"
        case .signing(let detail): return "cannot sign: \(detail)"
        }
    }
}
