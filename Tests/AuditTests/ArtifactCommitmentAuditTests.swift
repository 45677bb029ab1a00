import Audit
import Contracts
import LedgerCrypto
import Datasets
import Foundation
import Primitives
import Testing

/// Issue 10: a model finalized with `finalizeWithArtifact` is audited against both hashes of its
/// file, the whole-file Keccak (`weightsHash`) and the 64 KiB chunk root (`artifactCommitment`).
@Suite struct ArtifactCommitmentAuditTests {
    static func finalizedModel(_ fixture: LineageFixture, weights: String, commitment: Hash32) async throws -> Address {
        let csv = try fixture.writeCSV("own.csv", seed: 1)
        let dataset = try await fixture.registerDataset(LineageFixture.companyA, file: csv, id: "ds-artifact")
        let model = try await fixture.registerModel(LineageFixture.companyA,
                                                     fixture.registration(id: "m-artifact", datasets: [dataset]), weights: nil)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: weights)))
        try await fixture.expectSuccess(try await fixture.send(LineageFixture.companyA, to: model, data: try fixture.model.finalizeWithArtifact(
            weightsHash: Keccak256.hash(bytes), metricsHash: .zero, artifactCommitment: commitment)))
        return model
    }

    @Test func matchingChunkRootPassesAndAWrongOneFails() async throws {
        try await LineageAuditTests.withChain { fixture in
            let weights = try fixture.writeArtifact("weights.bin", seed: 5, count: 200_000)  // four chunks
            var chunks = ChunkMerkleCommitment()
            chunks.update(try [UInt8](Data(contentsOf: URL(fileURLWithPath: weights))))
            let good = try await Self.finalizedModel(fixture, weights: weights, commitment: chunks.finalize())
            let passed = try await LineageAuditor(client: fixture.client).audit(model: good, artifactPath: weights)
            #expect(passed.check(named: "weights-hash")?.passed == true, "\(passed.text)")
            #expect(passed.check(named: "weights-hash")?.evidence.contains("artifactCommitment") == true)
            #expect(passed.check(named: "model-storage-proof@\(good)")?.passed == true)

            let wrong = try await Self.finalizedModel(fixture, weights: weights, commitment: Keccak256.hash(Array("other".utf8)))
            let failed = try await LineageAuditor(client: fixture.client).audit(model: wrong, artifactPath: weights)
            #expect(failed.checks.filter { !$0.passed }.map(\.name) == ["weights-hash"], "\(failed.text)")
            #expect(failed.check(named: "weights-hash")?.evidence.contains("holds artifactCommitment") == true)
        }
    }
}
