import Primitives

/// A transaction the node accepted and has perhaps not mined yet (`TransactionSender.send`).
public struct PendingTransaction: Equatable, Sendable {
    public let hash: Hash32
    public let nonce: UInt64
    public let to: Address?
    public let data: [UInt8]
    public let value: UInt256
    /// For a creation: the address the contract gets (from the sender and nonce).
    public let contractAddress: Address?
}
