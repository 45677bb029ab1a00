import Audit
import Foundation
import LedgerClient
import Primitives
import Testing

/// `--checkpoint`: a repeated audit walks only the headers above the auditor's checkpoint, and
/// refuses a checkpoint the chain no longer matches.
@Suite struct CheckpointAuditTests {
    @Test func secondAuditWalksOnlyNewHeaders() async throws {
        try await LineageAuditTests.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            let auditor = try LineageAuditor(client: fixture.client)
            let first = try await auditor.audit(model: lineage.grandchild)
            #expect(first.allPassed)
            let checkpoint = try #require(first.checkpoint)
            #expect(checkpoint.number == first.blockNumber)
            #expect(checkpoint.hash == (try await fixture.client.header(number: first.blockNumber))?.hash)

            // Round trip through the file the command keeps.
            let path = fixture.directory.appendingPathComponent("audit.checkpoint").path
            try checkpoint.write(path: path)
            #expect(try AuditCheckpoint.read(path: path) == checkpoint)

            // Three more blocks, then the incremental audit.
            for _ in 0..<3 { try await fixture.send(LineageFixture.companyB, to: .zero, data: []) }
            let second = try await auditor.audit(model: lineage.grandchild, checkpoint: try AuditCheckpoint.read(path: path))
            #expect(second.allPassed)
            #expect(second.blockNumber == checkpoint.number + 3)
            let seals = try #require(second.check(named: "chain-seals"))
            #expect(seals.evidence.hasPrefix("3 new headers (blocks \(checkpoint.number + 1)...\(checkpoint.number + 3))"),
                    "\(seals.evidence)")
            #expect(second.checkpoint?.number == checkpoint.number + 3)
        }
    }

    @Test func checkpointTheChainNoLongerMatchesFails() async throws {
        try await LineageAuditTests.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            let auditor = try LineageAuditor(client: fixture.client)
            let good = try #require(try await auditor.audit(model: lineage.grandchild).checkpoint)

            var otherHash = good.hash.bytes
            otherHash[0] ^= 1
            let rewritten = AuditCheckpoint(genesisHash: good.genesisHash, sealer: good.sealer, number: good.number - 1,
                                            hash: try Hash32(bytes: otherHash))
            let afterRewrite = try await auditor.audit(model: lineage.grandchild, checkpoint: rewritten)
            #expect(afterRewrite.check(named: "chain-seals")?.passed == false)
            #expect(afterRewrite.check(named: "chain-seals")?.evidence.contains("the chain was rewritten") == true)
            #expect(afterRewrite.checkpoint == nil)

            let ahead = AuditCheckpoint(genesisHash: good.genesisHash, sealer: good.sealer, number: good.number + 100, hash: good.hash)
            let behind = try await auditor.audit(model: lineage.grandchild, checkpoint: ahead)
            #expect(behind.check(named: "chain-seals")?.evidence.contains("below the checkpoint") == true)

            let otherChain = AuditCheckpoint(genesisHash: try Hash32(bytes: otherHash), sealer: good.sealer,
                                             number: good.number, hash: good.hash)
            let foreign = try await auditor.audit(model: lineage.grandchild, checkpoint: otherChain)
            #expect(foreign.check(named: "chain-seals")?.evidence.contains("another chain") == true)
            #expect(!foreign.allPassed)
        }
    }

    @Test func malformedCheckpointFileIsRefused() throws {
        let path = NSTemporaryDirectory() + "mledger-checkpoint-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try AuditCheckpoint.read(path: path) == nil)
        try Data("{\"format\": \"mledger-audit-checkpoint/1\", \"number\": 5}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AuditCheckpoint.FileError.self) { try AuditCheckpoint.read(path: path) }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AuditCheckpoint.FileError.self) { try AuditCheckpoint.read(path: path) }
    }
}
