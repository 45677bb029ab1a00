import Chain
import Contracts
import LedgerClient
import Primitives
import RPC
import Testing

/// `TransactionSender` against an executing dev chain: many transactions of one account in
/// flight, nonce resync after another writer used the account, revert reasons.
@Suite(.serialized) struct TransactionSenderTests {
    static func devKey(_ index: Int) throws -> SigningKey {
        try #require(SigningKey(privateKey: DevelopmentAccounts.accountKeys[index]))
    }

    @Test func manyTransactionsOfOneAccountInFlight() async throws {
        try await DevLedger.with { ledger in
            let sender = try await TransactionSender.make(client: ledger.client, key: try Self.devKey(0))
            let recipient = try Address(hex: "0x00000000000000000000000000000000000000b0")
            let count = 40
            let receipts = try await withThrowingTaskGroup(of: ReceiptDetails.self) { group in
                for _ in 0..<count {
                    group.addTask { try await sender.transact(to: recipient, data: [], value: UInt256(1), gasLimit: 21_000) }
                }
                return try await group.reduce(into: [ReceiptDetails]()) { $0.append($1) }
            }
            #expect(receipts.count == count)
            #expect(receipts.allSatisfy { $0.receipt.succeeded && $0.from == sender.address })
            #expect(try await ledger.client.transactionCount(of: sender.address, at: .latest) == UInt64(count))
            #expect(try await ledger.client.balance(of: recipient, at: .latest) == UInt256(UInt64(count)))
        }
    }

    @Test func resyncsAfterAnotherWriterUsedTheAccount() async throws {
        try await DevLedger.with { ledger in
            let key = try Self.devKey(1)
            let first = try await TransactionSender.make(client: ledger.client, key: key)
            let other = try await TransactionSender.make(client: ledger.client, key: key)
            let to = try Address(hex: "0x00000000000000000000000000000000000000b1")
            _ = try await first.transact(to: to, data: [], value: UInt256(1), gasLimit: 21_000)   // nonce 0; first's next is 1
            for _ in 0..<3 { _ = try await other.transact(to: to, data: [], value: UInt256(1), gasLimit: 21_000) }  // 1, 2, 3
            // first still counts 1: the node answers "nonce too low", first resyncs and sends with 4.
            let receipt = try await first.transact(to: to, data: [], value: UInt256(1), gasLimit: 21_000)
            #expect(receipt.receipt.succeeded)
            #expect(try await ledger.client.transactionCount(of: key.address, at: .latest) == 5)
        }
    }

    @Test func revertsCarryTheContractReason() async throws {
        try await DevLedger.with { ledger in
            let sender = try await TransactionSender.make(client: ledger.client, key: try Self.devKey(2))
            let binding = try DatasetRecordBinding()
            let content = DatasetContent(commitment: Hash32(w0: 1, w1: 2, w2: 3, w3: 4), sizeBytes: UInt256(10),
                                         sampleCount: UInt256(2), sampleShape: [UInt256(5)], schemaHash: .zero)
            let (address, deployReceipt) = try await sender.deploy(initCode: try binding.deployData(datasetId: "d", content: content))
            #expect(deployReceipt.contractAddress == address)
            #expect(try await ledger.client.code(of: address, at: .latest) == binding.artifact.runtimeCode)
            _ = try await sender.transact(to: address, data: try binding.finalize())
            // With a given gas limit the second finalize is mined, fails, and is replayed for its reason.
            await #expect(throws: TransactionSenderError.self) {
                _ = try await sender.transact(to: address, data: try binding.finalize(), gasLimit: 100_000)
            }
            do {
                _ = try await sender.transact(to: address, data: try binding.finalize(), gasLimit: 100_000)
                Issue.record("a second finalize must revert")
            } catch let error as TransactionSenderError {
                guard case let .reverted(hash, reason, _) = error else { Issue.record("\(error)"); return }
                #expect(hash != nil)
                #expect(reason == "finalized")
            }
            // Without one, estimation already reverts with the reason and nothing is sent.
            let before = try await ledger.client.transactionCount(of: sender.address, at: .latest)
            do {
                _ = try await sender.transact(to: address, data: try binding.finalize())
                Issue.record("estimation must revert")
            } catch let error as TransactionSenderError {
                #expect(error == .reverted(transactionHash: nil, reason: "finalized", data: RevertReason.error("finalized").encoded))
            }
            #expect(try await ledger.client.transactionCount(of: sender.address, at: .latest) == before)
        }
    }

    @Test func deploymentAddressIsKnownAtSendSoAFinalizeCanFollowAtOnce() async throws {
        try await DevLedger.with { ledger in
            let sender = try await TransactionSender.make(client: ledger.client, key: try Self.devKey(3))
            let binding = try DatasetRecordBinding()
            let content = DatasetContent(commitment: Hash32(w0: 5, w1: 6, w2: 7, w3: 8), sizeBytes: UInt256(1),
                                         sampleCount: UInt256(1), sampleShape: [UInt256(1)], schemaHash: .zero)
            let deploy = try await sender.send(to: nil, data: try binding.deployData(datasetId: "x", content: content),
                                               gasLimit: 2_000_000)
            let predicted = try #require(deploy.contractAddress)
            let finalize = try await sender.send(to: predicted, data: try binding.finalize(), gasLimit: 150_000)
            #expect(finalize.nonce == deploy.nonce + 1)
            let deployed = try await sender.confirm(deploy)
            #expect(deployed.contractAddress == predicted)
            #expect(try await sender.confirm(finalize).receipt.succeeded)
            var call = CallRequest()
            call.to = predicted
            call.input = try binding.finalized().data
            #expect(try binding.finalized().decode(try await ledger.client.call(call, at: .latest)) == true)
        }
    }
}
