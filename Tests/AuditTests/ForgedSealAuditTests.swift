import Audit
import Chain
import LedgerCrypto
import LedgerClient
import Primitives
import RPC
import Testing

/// The seal walk checks every header's seal (in parallel slices) and link, and reports the first
/// failure in chain order.
@Suite struct ForgedSealAuditTests {
    /// The in-process client, except that the listed blocks come back re-sealed by another key.
    struct ForgingClient: LedgerClient {
        let base: any LedgerClient
        let forged: [UInt64: BlockHeader]

        func header(number: UInt64) async throws -> BlockHeader? {
            if let header = forged[number] { return header }
            return try await base.header(number: number)
        }
        func chainId() async throws -> UInt64 { try await base.chainId() }
        func blockNumber() async throws -> UInt64 { try await base.blockNumber() }
        func balance(of address: Address, at block: BlockSelector) async throws -> UInt256 { try await base.balance(of: address, at: block) }
        func transactionCount(of address: Address, at block: BlockSelector) async throws -> UInt64 {
            try await base.transactionCount(of: address, at: block)
        }
        func code(of address: Address, at block: BlockSelector) async throws -> [UInt8] { try await base.code(of: address, at: block) }
        func storage(of address: Address, slot: Hash32, at block: BlockSelector) async throws -> Hash32 {
            try await base.storage(of: address, slot: slot, at: block)
        }
        func call(_ request: CallRequest, at block: BlockSelector) async throws -> [UInt8] { try await base.call(request, at: block) }
        func estimateGas(_ request: CallRequest, at block: BlockSelector) async throws -> UInt64 {
            try await base.estimateGas(request, at: block)
        }
        func sendRawTransaction(_ raw: [UInt8]) async throws -> Hash32 { try await base.sendRawTransaction(raw) }
        func receipt(transactionHash: Hash32) async throws -> ReceiptDetails? { try await base.receipt(transactionHash: transactionHash) }
        func logs(matching filter: LogFilter, from: UInt64, to: UInt64) async throws -> [LocatedLog] {
            try await base.logs(matching: filter, from: from, to: to)
        }
        func proof(of address: Address, slots: [Hash32], at block: BlockSelector) async throws -> AccountProof {
            try await base.proof(of: address, slots: slots, at: block)
        }
        func waitForReceipt(transactionHash: Hash32, timeoutSeconds: Double) async throws -> ReceiptDetails {
            try await base.waitForReceipt(transactionHash: transactionHash, timeoutSeconds: timeoutSeconds)
        }
    }

    @Test func firstForgedSealInChainOrderIsReported() async throws {
        try await LineageAuditTests.withChain { fixture in
            let node = fixture.chain.node
            let sealer = try #require(node.sealer)
            // 300 blocks: enough for the seal check to split the window across every core.
            for _ in 0..<300 { try sealer.sealNext(allowEmpty: true) }
            let client = node.makeClient()
            let intruder = DevelopmentAccounts.accountKeys[2]
            var forged: [UInt64: BlockHeader] = [:]
            for number: UInt64 in [100, 250] {
                let header = try #require(try node.database.header(number: number))
                forged[number] = try Sealer.seal(header, privateKey: intruder)
            }
            let honest = try await LineageAuditor(client: client).audit(model: .zero)
            #expect(honest.check(named: "chain-seals")?.passed == true)

            let report = try await LineageAuditor(client: ForgingClient(base: client, forged: forged)).audit(model: .zero)
            let seals = try #require(report.check(named: "chain-seals"))
            #expect(!seals.passed)
            #expect(seals.evidence.hasPrefix("block 100: "), "\(seals.evidence)")
            #expect(report.checkpoint == nil)

            // Only the later one forged: that one is named.
            let later = try await LineageAuditor(client: ForgingClient(base: client, forged: [250: forged[250]!])).audit(model: .zero)
            #expect(later.check(named: "chain-seals")?.evidence.hasPrefix("block 250: ") == true)
        }
    }
}
