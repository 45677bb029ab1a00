import Chain
import Primitives

/// A call or gas estimate request (`eth_call`, `eth_estimateGas`): the transaction fields a
/// caller may give, all optional.
public struct CallRequest: Equatable, Sendable {
    public var from: Address?
    public var to: Address?
    public var gas: UInt64?
    public var gasPrice: UInt256?
    public var maxFeePerGas: UInt256?
    public var maxPriorityFeePerGas: UInt256?
    public var value: UInt256?
    public var input: [UInt8]?
    public var nonce: UInt64?

    public init() {}
}

/// Why a state query failed, mapped to JSON-RPC errors by the server.
public enum StateBackendError: Error, Equatable, Sendable {
    case blockNotFound
    /// The call reverted; the data is the revert payload (code 3 with the data).
    case reverted(data: [UInt8], reason: String?)
    /// Execution failed for another reason ("out of gas", "insufficient funds ...").
    case execution(String)
}

/// Account state and execution: implemented by the node's EVM adapter once block execution
/// exists. Until then the node has no state backend and these methods answer that state
/// execution is not available yet.
public protocol StateBackend: AnyObject, Sendable {
    func balance(of address: Address, at block: BlockSelector) throws -> UInt256
    /// With `.tag(.pending)`, counts the pool's executable transactions too.
    func transactionCount(of address: Address, at block: BlockSelector) throws -> UInt64
    func code(of address: Address, at block: BlockSelector) throws -> [UInt8]
    func storage(of address: Address, slot: Hash32, at block: BlockSelector) throws -> Hash32
    func call(_ request: CallRequest, at block: BlockSelector) throws -> [UInt8]
    func estimateGas(_ request: CallRequest, at block: BlockSelector) throws -> UInt64
    /// EIP-1186 account and storage proof, already in its JSON-RPC shape.
    func proof(of address: Address, slots: [Hash32], at block: BlockSelector) throws -> JSONValue
    /// `debug_traceTransaction` and `debug_traceCall` results in their JSON-RPC shapes.
    func traceTransaction(hash: Hash32, options: JSONValue?) throws -> JSONValue
    func traceCall(_ request: CallRequest, at block: BlockSelector, options: JSONValue?) throws -> JSONValue
}
