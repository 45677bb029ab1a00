import Chain
import Primitives
import RPC

/// What native service modules and auditors need from the ledger: chain and state reads,
/// calls, raw transaction submission, receipts, logs and EIP-1186 proofs. Two
/// implementations: `InProcessLedgerClient` (services inside the node, no HTTP) and
/// `JSONRPCLedgerClient` (out-of-process users such as `mledger audit`, which therefore
/// trusts nothing but what the JSON-RPC answers prove). Signing stays outside: a
/// `TransactionSender` signs with a company key and submits raw transactions through any
/// client, so keys never travel.
public protocol LedgerClient: Sendable {
    func chainId() async throws -> UInt64
    func blockNumber() async throws -> UInt64
    /// The full consensus header of a canonical block (nil past the head). The JSON-RPC
    /// implementation rebuilds it from `eth_getBlockByNumber` and checks that it hashes to the
    /// reported block hash, so callers can verify seals and roots themselves.
    func header(number: UInt64) async throws -> BlockHeader?
    func balance(of address: Address, at block: BlockSelector) async throws -> UInt256
    func transactionCount(of address: Address, at block: BlockSelector) async throws -> UInt64
    func code(of address: Address, at block: BlockSelector) async throws -> [UInt8]
    func storage(of address: Address, slot: Hash32, at block: BlockSelector) async throws -> Hash32
    /// `eth_call`; a revert throws `LedgerClientError.reverted` with the revert data.
    func call(_ request: CallRequest, at block: BlockSelector) async throws -> [UInt8]
    func estimateGas(_ request: CallRequest, at block: BlockSelector) async throws -> UInt64
    /// `eth_sendRawTransaction`: the transaction's hash once the node accepted it.
    func sendRawTransaction(_ raw: [UInt8]) async throws -> Hash32
    /// The receipt of a mined transaction; nil while it is pending or unknown.
    func receipt(transactionHash: Hash32) async throws -> ReceiptDetails?
    /// Logs of canonical blocks `from...to` matching `filter`.
    func logs(matching filter: LogFilter, from: UInt64, to: UInt64) async throws -> [LocatedLog]
    /// EIP-1186 account and storage proof at `block`.
    func proof(of address: Address, slots: [Hash32], at block: BlockSelector) async throws -> AccountProof
    /// The receipt once the transaction is mined; `LedgerClientError.timeout` after
    /// `timeoutSeconds`. The default polls; the in-process client wakes on new blocks.
    func waitForReceipt(transactionHash: Hash32, timeoutSeconds: Double) async throws -> ReceiptDetails
}

/// An EIP-1186 proof: the account's fields with the trie nodes from the block's state root,
/// and one proof per requested slot from the account's storage root.
public struct AccountProof: Equatable, Sendable {
    public struct StorageProof: Equatable, Sendable {
        public var slot: Hash32
        public var value: UInt256
        public var proof: [[UInt8]]
        public init(slot: Hash32, value: UInt256, proof: [[UInt8]]) {
            self.slot = slot; self.value = value; self.proof = proof
        }
    }

    public var address: Address
    public var nonce: UInt64
    public var balance: UInt256
    public var codeHash: Hash32
    public var storageHash: Hash32
    public var accountProof: [[UInt8]]
    public var storageProof: [StorageProof]

    public init(address: Address, nonce: UInt64, balance: UInt256, codeHash: Hash32, storageHash: Hash32,
                accountProof: [[UInt8]], storageProof: [StorageProof]) {
        self.address = address; self.nonce = nonce; self.balance = balance; self.codeHash = codeHash
        self.storageHash = storageHash; self.accountProof = accountProof; self.storageProof = storageProof
    }
}

/// Why a ledger request failed, the same for both implementations.
public enum LedgerClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call or transaction reverted; `data` is the revert payload.
    case reverted(data: [UInt8], reason: String?)
    /// The node refused the transaction (pool admission: "nonce too low", ...).
    case rejected(String)
    /// The node answered with an error (JSON-RPC code and message).
    case node(code: Int, message: String)
    /// The answer could not be understood or did not prove what it claims.
    case malformed(String)
    /// The node could not be reached.
    case transport(String)
    /// A receipt did not appear in time.
    case timeout(String)

    public var description: String {
        switch self {
        case let .reverted(data, reason):
            return "execution reverted" + (reason.map { ": \($0)" } ?? "") + (data.isEmpty ? "" : " (data \(Hex.encode(data)))")
        case .rejected(let message): return "transaction rejected: \(message)"
        case let .node(code, message): return "node error \(code): \(message)"
        case .malformed(let message): return "malformed answer: \(message)"
        case .transport(let message): return "cannot reach the node: \(message)"
        case .timeout(let message): return "timed out: \(message)"
        }
    }
}

extension LedgerClient {
    public func waitForReceipt(transactionHash: Hash32, timeoutSeconds: Double) async throws -> ReceiptDetails {
        try await pollForReceipt(transactionHash: transactionHash, timeoutSeconds: timeoutSeconds)
    }

    /// `waitForReceipt` with the default timeout of 30 s.
    public func waitForReceipt(transactionHash: Hash32) async throws -> ReceiptDetails {
        try await waitForReceipt(transactionHash: transactionHash, timeoutSeconds: 30)
    }

    /// Polls for the receipt of `transactionHash` every `pollMilliseconds` until it appears
    /// or `timeoutSeconds` pass.
    public func pollForReceipt(transactionHash: Hash32, timeoutSeconds: Double,
                               pollMilliseconds: UInt64 = 5) async throws -> ReceiptDetails {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutSeconds * 1_000))
        while true {
            if let receipt = try await receipt(transactionHash: transactionHash) { return receipt }
            guard ContinuousClock.now < deadline else {
                throw LedgerClientError.timeout("no receipt for \(transactionHash) after \(timeoutSeconds) s")
            }
            try await Task.sleep(for: .milliseconds(Int64(pollMilliseconds)))
        }
    }
}
