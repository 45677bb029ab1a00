import Chain
import Foundation
import Primitives
import RPC

/// Signs transactions with one account's key in process and submits them through any
/// `LedgerClient` (`eth_sendRawTransaction`), so the key never travels.
///
/// Nonces are managed locally so that many transactions from the account can be in flight at
/// once: the counter starts from the account's pending transaction count and is advanced per
/// transaction; a "nonce too low" rejection (another writer used the account) resyncs it and
/// retries, a nonce already held by a pooled transaction is skipped, and any other rejection
/// drops the counter so that the next transaction refills the gap it left.
/// Transactions are EIP-1559 (type 2) with fee cap and tip 0: the ledger is gas-free (base fee
/// 0), while gas is still metered to bound execution, so the gas limit comes from `eth_estimateGas`
/// plus a margin unless the caller gives one.
public final class TransactionSender: @unchecked Sendable {
    public let client: any LedgerClient
    public let chainId: UInt64
    /// The signing account.
    public var address: Address { key.address }
    /// Upper bound of an estimated gas limit (the block gas limit).
    public let gasCap: UInt64
    /// How long `transact` and `deploy` wait for a receipt.
    public var receiptTimeoutSeconds: Double = 60

    private let key: SigningKey
    private let lock = NSLock()
    private var nextNonce: UInt64?

    /// A sender for `key` whose chain id and gas cap the caller already knows.
    public init(client: any LedgerClient, key: SigningKey, chainId: UInt64, gasCap: UInt64 = 30_000_000) {
        self.client = client
        self.key = key
        self.chainId = chainId
        self.gasCap = gasCap
    }

    /// A sender for `key` that asks the node for the chain id and the head's gas limit.
    public static func make(client: any LedgerClient, key: SigningKey) async throws -> TransactionSender {
        let chainId = try await client.chainId()
        let head = try await client.blockNumber()
        let gasCap = try await client.header(number: head)?.gasLimit ?? 30_000_000
        return TransactionSender(client: client, key: key, chainId: chainId, gasCap: gasCap)
    }

    // MARK: Submitting

    /// Signs and submits one transaction (`to` nil creates a contract); returns once the node
    /// accepted it, without waiting for it to be mined. A nil `gasLimit` is estimated against the
    /// latest state. A creation's `contractAddress` is known at once (sender and nonce), so
    /// calls to the new contract can follow in the same block with a given gas limit.
    public func send(to: Address?, data: [UInt8], value: UInt256 = .zero, gasLimit: UInt64? = nil) async throws -> PendingTransaction {
        let gas: UInt64
        if let gasLimit { gas = gasLimit } else { gas = try await estimate(to: to, data: data, value: value) }
        var attempts = 0
        while true {
            attempts += 1
            let nonce = try await reserveNonce()
            let raw = try sign(nonce: nonce, to: to, data: data, value: value, gasLimit: gas)
            do {
                let hash = try await client.sendRawTransaction(raw)
                return PendingTransaction(hash: hash, nonce: nonce, to: to, data: data, value: value,
                                          contractAddress: to == nil ? ReceiptDetails.contractAddress(sender: address, nonce: nonce) : nil)
            } catch let error as LedgerClientError {
                if Self.isNonceTooLow(error), attempts < 4 {
                    try await resyncNonce()
                    continue
                }
                // The nonce is taken by a pooled transaction (after a counter reset): take the next.
                if Self.isNonceTaken(error), attempts < 4 { continue }
                // The reserved nonce was not used: start again from the node's count next time.
                forgetNonce()
                throw error
            } catch {
                forgetNonce()
                throw error
            }
        }
    }

    /// Waits for a sent transaction's receipt; a failed execution throws `.reverted` with the
    /// reason found by replaying the transaction with `eth_call`.
    public func confirm(_ pending: PendingTransaction) async throws -> ReceiptDetails {
        let receipt = try await client.waitForReceipt(transactionHash: pending.hash, timeoutSeconds: receiptTimeoutSeconds)
        try await waitForHead(atLeast: receipt.blockNumber)
        guard receipt.receipt.succeeded else {
            throw await revertError(hash: pending.hash, to: pending.to, data: pending.data, value: pending.value, receipt: receipt)
        }
        return receipt
    }

    /// Sends and confirms: the receipt of a successful execution.
    public func transact(to: Address?, data: [UInt8], value: UInt256 = .zero,
                         gasLimit: UInt64? = nil) async throws -> ReceiptDetails {
        try await confirm(try await send(to: to, data: data, value: value, gasLimit: gasLimit))
    }

    /// Returns once the node's latest block is at least `number`. A receipt can be readable a
    /// moment before the node's head moves to its block; callers of `transact` read `latest`
    /// state next (the contract just deployed, the gas of the next call) and must see the block.
    private func waitForHead(atLeast number: UInt64) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(receiptTimeoutSeconds * 1_000))
        while try await client.blockNumber() < number {
            guard ContinuousClock.now < deadline else {
                throw LedgerClientError.timeout("block \(number) has a receipt but is not the head after \(receiptTimeoutSeconds) s")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Deploys `initCode` (constructor arguments included) and returns the new contract's address.
    public func deploy(initCode: [UInt8], gasLimit: UInt64? = nil) async throws -> (address: Address, receipt: ReceiptDetails) {
        let receipt = try await transact(to: nil, data: initCode, gasLimit: gasLimit)
        guard let address = receipt.contractAddress else { throw TransactionSenderError.noContractAddress(transactionHash: receipt.transactionHash) }
        return (address, receipt)
    }

    // MARK: Gas, nonces, signatures

    /// `eth_estimateGas` plus a quarter and 10,000 (state read by other in-flight transactions
    /// may cost more by the time this one runs), capped at `gasCap`.
    public func estimate(to: Address?, data: [UInt8], value: UInt256 = .zero) async throws -> UInt64 {
        var request = CallRequest()
        request.from = address
        request.to = to
        request.input = data
        request.value = value
        request.maxFeePerGas = .zero
        request.maxPriorityFeePerGas = .zero
        let estimated: UInt64
        do {
            estimated = try await client.estimateGas(request, at: .latest)
        } catch LedgerClientError.reverted(let revertData, let reason) {
            throw TransactionSenderError.reverted(transactionHash: nil, reason: reason, data: revertData)
        }
        let (withMargin, overflow) = estimated.addingReportingOverflow(estimated / 4 + 10_000)
        return overflow ? gasCap : min(withMargin, gasCap)
    }

    private func reserveNonce() async throws -> UInt64 {
        if let nonce = takeNonce() { return nonce }
        let pending = try await client.transactionCount(of: address, at: .tag(.pending))
        return lock.withLock {
            let nonce = max(nextNonce ?? pending, pending)
            nextNonce = nonce + 1
            return nonce
        }
    }

    private func takeNonce() -> UInt64? {
        lock.withLock {
            guard let nonce = nextNonce else { return nil }
            nextNonce = nonce + 1
            return nonce
        }
    }

    private func resyncNonce() async throws {
        let pending = try await client.transactionCount(of: address, at: .tag(.pending))
        lock.withLock { nextNonce = max(nextNonce ?? pending, pending) }
    }

    private func forgetNonce() { lock.withLock { nextNonce = nil } }

    private func sign(nonce: UInt64, to: Address?, data: [UInt8], value: UInt256, gasLimit: UInt64) throws -> [UInt8] {
        let unsigned = Transaction(.dynamicFee(DynamicFeeTransaction(
            chainId: chainId, nonce: nonce, maxPriorityFeePerGas: .zero, maxFeePerGas: .zero,
            gasLimit: gasLimit, to: to, value: value, data: data)))
        do {
            return try unsigned.signed(privateKey: key.privateKey).encoded
        } catch {
            throw TransactionSenderError.signing("\(error)")
        }
    }

    static func isNonceTooLow(_ error: LedgerClientError) -> Bool { rejection(error, contains: "nonce too low") }

    /// Another transaction of the account holds the nonce (gas-free: a replacement never pays more).
    static func isNonceTaken(_ error: LedgerClientError) -> Bool {
        rejection(error, contains: "replacement transaction underpriced")
    }

    static func rejection(_ error: LedgerClientError, contains text: String) -> Bool {
        switch error {
        case .rejected(let message), .node(_, let message): return message.contains(text)
        default: return false
        }
    }

    // MARK: Revert reasons

    /// Replays a failed transaction with `eth_call` to learn its revert reason: first on the state
    /// after its block (where a rule such as "finalized" that an earlier transaction of the same
    /// block tripped is visible), then on the state before it.
    private func revertError(hash: Hash32, to: Address?, data: [UInt8], value: UInt256,
                             receipt: ReceiptDetails) async -> TransactionSenderError {
        var request = CallRequest()
        request.from = address
        request.to = to
        request.input = data
        request.value = value
        request.gas = receipt.gasUsed > 0 ? max(receipt.gasUsed * 2, 100_000) : nil
        var blocks = [receipt.blockNumber]
        if receipt.blockNumber > 0 { blocks.append(receipt.blockNumber - 1) }
        for block in blocks {
            do {
                _ = try await client.call(request, at: .tag(.number(block)))
            } catch LedgerClientError.reverted(let revertData, let reason) {
                if reason != nil || !revertData.isEmpty {
                    return .reverted(transactionHash: hash, reason: reason, data: revertData)
                }
            } catch {
                break
            }
        }
        return .reverted(transactionHash: hash, reason: nil, data: [])
    }
}
