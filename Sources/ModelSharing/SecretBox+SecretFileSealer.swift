import Chain
import Foundation
import ObjectStore

/// The node passphrase's `SecretBox` seals the object store's secret files (the per-company S3
/// keys): ObjectStore knows nothing of the ledger's ciphers, the node hands it this sealer.
/// `seal` and `open` are SecretBox's own (typed throws satisfy the protocol's `throws`).
extension SecretBox: SecretFileSealer {
    public func isSealed(_ data: Data) -> Bool { Self.isSealed(data) }
}
