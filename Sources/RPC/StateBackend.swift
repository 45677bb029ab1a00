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
    /// `eth_call`'s third parameter: per-account replacements applied before the call.
    public var stateOverrides: [Address: AccountOverride] = [:]

    public init() {}
}

/// One account's state override for `eth_call`: any of balance, nonce and code, and either
/// `state` (the whole storage replaced) or `stateDiff` (only the given slots changed).
public struct AccountOverride: Equatable, Sendable {
    public var balance: UInt256?
    public var nonce: UInt64?
    public var code: [UInt8]?
    public var state: [Hash32: Hash32]?
    public var stateDiff: [Hash32: Hash32]?

    public init(balance: UInt256? = nil, nonce: UInt64? = nil, code: [UInt8]? = nil,
                state: [Hash32: Hash32]? = nil, stateDiff: [Hash32: Hash32]? = nil) {
        self.balance = balance; self.nonce = nonce; self.code = code; self.state = state; self.stateDiff = stateDiff
    }
}

/// Why a state query failed, mapped to JSON-RPC errors by the server.
public enum StateBackendError: Error, Equatable, Sendable {
    case blockNotFound
    /// The call reverted; the data is the revert payload (code 3 with the data).
    case reverted(data: [UInt8], reason: String?)
    /// Execution failed for another reason ("out of gas", "insufficient funds ...").
    case execution(String)
}

/// Account state and execution, implemented by the node over its state tries and EVM.
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
