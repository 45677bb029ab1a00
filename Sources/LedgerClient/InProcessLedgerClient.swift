import Chain
import Foundation
import Primitives
import RPC

/// The `LedgerClient` of native service modules running inside the node: the same chain
/// database, pool and state backend the JSON-RPC methods use, called directly (no HTTP, no
/// JSON). Receipt waits wake on the node's new-block events instead of polling.
public final class InProcessLedgerClient: LedgerClient, @unchecked Sendable {
    private let node: any NodeBackend
    private let state: any StateBackend
    private let hub: RPCEventHub
    /// Bounds `logs` like the RPC's range limit, so one request cannot scan the whole chain.
    public var maxLogBlocks: UInt64 = 10_000

    public init(node: any NodeBackend, state: any StateBackend, hub: RPCEventHub) {
        self.node = node; self.state = state; self.hub = hub
    }

    /// Runs a node call, turning node errors into `LedgerClientError`s.
    private func translate<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StateBackendError {
            switch error {
            case .blockNotFound: throw LedgerClientError.node(code: RPCError.serverErrorCode, message: "header not found")
            case let .reverted(data, reason): throw LedgerClientError.reverted(data: data, reason: reason)
            case .execution(let message): throw LedgerClientError.node(code: RPCError.serverErrorCode, message: message)
            }
        } catch let error as TransactionPoolError {
            throw LedgerClientError.rejected(error.message)
        } catch let error as RPCError {
            throw LedgerClientError.node(code: error.code, message: error.message)
        } catch let error as LedgerClientError {
            throw error
        } catch {
            throw LedgerClientError.node(code: RPCError.internalErrorCode, message: "\(error)")
        }
    }

    public func chainId() async throws -> UInt64 { node.chainId }
    public func blockNumber() async throws -> UInt64 { try translate { try node.head().number } }
    public func header(number: UInt64) async throws -> BlockHeader? { try translate { try node.header(number: number) } }

    public func balance(of address: Address, at block: BlockSelector) async throws -> UInt256 {
        try translate { try state.balance(of: address, at: block) }
    }

    public func transactionCount(of address: Address, at block: BlockSelector) async throws -> UInt64 {
        try translate { try state.transactionCount(of: address, at: block) }
    }

    public func code(of address: Address, at block: BlockSelector) async throws -> [UInt8] {
        try translate { try state.code(of: address, at: block) }
    }

    public func storage(of address: Address, slot: Hash32, at block: BlockSelector) async throws -> Hash32 {
        try translate { try state.storage(of: address, slot: slot, at: block) }
    }

    public func call(_ request: CallRequest, at block: BlockSelector) async throws -> [UInt8] {
        try translate { try state.call(request, at: block) }
    }

    public func estimateGas(_ request: CallRequest, at block: BlockSelector) async throws -> UInt64 {
        try translate { try state.estimateGas(request, at: block) }
    }

    public func sendRawTransaction(_ raw: [UInt8]) async throws -> Hash32 {
        try translate { try node.submit(raw: raw).hash }
    }

    public func receipt(transactionHash: Hash32) async throws -> ReceiptDetails? {
        try translate { try node.receiptDetails(transactionHash: transactionHash) }
    }

    public func logs(matching filter: LogFilter, from: UInt64, to: UInt64) async throws -> [LocatedLog] {
        try translate { try node.logs(matching: filter, from: from, to: to, maxBlocks: maxLogBlocks) }
    }

    public func proof(of address: Address, slots: [Hash32], at block: BlockSelector) async throws -> AccountProof {
        try AccountProof(json: try translate { try state.proof(of: address, slots: slots, at: block) })
    }

    public func waitForReceipt(transactionHash: Hash32, timeoutSeconds: Double) async throws -> ReceiptDetails {
        let (blocks, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = hub.addListener { event in
            if case .newBlock = event { continuation.yield() }
        }
        defer { hub.removeListener(listener) }
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(Int64(timeoutSeconds * 1_000)))
            continuation.finish()
        }
        defer { timer.cancel() }
        // Checked after subscribing, so a block committed in between is not missed.
        if let receipt = try await receipt(transactionHash: transactionHash) { return receipt }
        for await _ in blocks {
            if let receipt = try await receipt(transactionHash: transactionHash) { return receipt }
        }
        throw LedgerClientError.timeout("no receipt for \(transactionHash) after \(timeoutSeconds) s")
    }
}
