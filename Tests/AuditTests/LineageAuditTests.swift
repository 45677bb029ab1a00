import Audit
import Chain
import Contracts
import LedgerCrypto
import Foundation
import LedgerClient
import Primitives
import Testing

/// End to end: records deployed on a dev node, audited through `JSONRPCLedgerClient` only.
@Suite struct LineageAuditTests {
    /// Runs `body` with a fresh dev chain and its fixture, stopping the chain afterwards.
    static func withChain(_ body: (LineageFixture) async throws -> Void) async throws {
        let chain = try await DevChain.start()
        do {
            try await body(try LineageFixture(chain: chain))
        } catch {
            await chain.stop()
            throw error
        }
        await chain.stop()
    }

    @Test func threeLevelLineagePassesEveryCheck() async throws {
        try await Self.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            let auditor = try LineageAuditor(client: fixture.client,
                                             expectedGenesisHash: try fixture.chain.node.database.genesisHash)
            let report = try await auditor.audit(model: lineage.grandchild, artifactPath: lineage.grandchildWeights,
                                                 datasetPaths: [lineage.ownCSV, lineage.sharedCSV])
            #expect(report.allPassed, "\(report.text)")
            // Seals, 3 models and 2 datasets (code + storage each), lineage, weights, 2 files.
            let expectedCount: Int = 1 + 3 * 2 + 2 * 2 + 1 + 1 + 2
            #expect(report.checks.count == expectedCount)
            for name in ["chain-seals", "lineage", "weights-hash", "model-code-hash@\(lineage.root)",
                         "model-storage-proof@\(lineage.child)", "dataset-storage-proof@\(lineage.sharedDataset)",
                         "dataset-file@\(lineage.ownCSV)", "dataset-file@\(lineage.sharedCSV)"] {
                #expect(report.check(named: name)?.passed == true, "\(name)")
            }
            #expect(report.blockNumber == (try await fixture.client.blockNumber()))
            #expect(report.text.hasSuffix("audit: \(report.checks.count) passed, 0 failed"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
            #expect(json["failed"] as? Int == 0)
            #expect((json["checks"] as? [[String: Any]])?.count == report.checks.count)
        }
    }

    @Test func flippedArtifactByteFailsExactlyTheWeightsCheck() async throws {
        try await Self.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: lineage.grandchildWeights)))
            bytes[bytes.count / 2] ^= 0x01
            let tampered = try fixture.write("tampered.onnx", bytes)
            let report = try await LineageAuditor(client: fixture.client)
                .audit(model: lineage.grandchild, artifactPath: tampered, datasetPaths: [lineage.ownCSV])
            #expect(report.checks.filter { !$0.passed }.map(\.name) == ["weights-hash"])
            #expect(report.text.contains("FAIL weights-hash: keccak256("))
            #expect(report.text.hasSuffix("audit: \(report.checks.count - 1) passed, 1 failed"))
        }
    }

    @Test func datasetFileThatDiffersFromItsRecordFails() async throws {
        try await Self.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            let other = try fixture.writeCSV("other.csv", seed: 9)
            let report = try await LineageAuditor(client: fixture.client)
                .audit(model: lineage.grandchild, datasetPaths: [lineage.ownCSV, other])
            #expect(report.checks.filter { !$0.passed }.map(\.name) == ["dataset-file@\(other)"])
            #expect(report.check(named: "dataset-file@\(other)")?.evidence.contains("matches no dataset record") == true)
        }
    }

    @Test func recordThatMisstatesItsStatisticsFailsTheDatasetFileCheck() async throws {
        try await Self.withChain { fixture in
            let a = LineageFixture.companyA
            let csv = try fixture.writeCSV("d.csv", seed: 5)
            // The mean of feature 1 is recorded 0.5 too high (scale 1e18).
            let data = try await fixture.registerDataset(a, file: csv, id: "d") { statistics in
                var changed = statistics
                changed[1].mean = changed[1].mean &+ UInt256(500_000_000_000_000_000)
                return changed
            }
            let model = try await fixture.registerModel(a, fixture.registration(id: "m", datasets: [data]),
                                                        weights: try fixture.writeArtifact("m.bin", seed: 6))
            let report = try await LineageAuditor(client: fixture.client).audit(model: model, datasetPaths: [csv])
            #expect(report.checks.filter { !$0.passed }.map(\.name) == ["dataset-file@\(csv)"])
            let evidence = report.check(named: "dataset-file@\(csv)")?.evidence ?? ""
            #expect(evidence.contains("feature 1 mean"))
            #expect(!evidence.contains("feature 0"))
        }
    }

    @Test func unverifiedModelFailsTheLineageCheck() async throws {
        try await Self.withChain { fixture in
            let a = LineageFixture.companyA
            let model = try await fixture.registerModel(a, fixture.registration(id: "u", datasets: [], unverified: true),
                                                        weights: try fixture.writeArtifact("u.bin", seed: 7))
            let report = try await LineageAuditor(client: fixture.client).audit(model: model)
            #expect(report.checks.filter { !$0.passed }.map(\.name) == ["lineage"])
            let evidence = report.check(named: "lineage")?.evidence ?? ""
            #expect(evidence.contains("unverified"))
            #expect(evidence.contains("cites no dataset"))
        }
    }

    @Test func contractWithDifferentCodeFailsTheCodeHashCheck() async throws {
        try await Self.withChain { fixture in
            // Init code that installs the ModelRecord runtime with one extra trailing byte.
            let runtime = fixture.model.artifact.runtimeCode + [0x00]
            let size = UInt256(UInt64(runtime.count)).minimalBigEndianBytes
            let sizePush: [UInt8] = [0x61] + [UInt8](repeating: 0, count: 2 - size.count) + size  // PUSH2 size
            // PUSH2 size, DUP1, PUSH1 offset, PUSH1 0, CODECOPY, PUSH1 0, RETURN; offset = prefix length 12.
            let prefix: [UInt8] = sizePush + [0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3]
            #expect(prefix.count == 12)
            let impostor = try await fixture.deploy(LineageFixture.companyA, prefix + runtime)
            #expect(try await fixture.client.code(of: impostor, at: .latest) == runtime)
            let report = try await LineageAuditor(client: fixture.client).audit(model: impostor)
            let check = try #require(report.check(named: "model-code-hash@\(impostor)"))
            #expect(!check.passed)
            #expect(check.evidence.contains(fixture.model.artifact.runtimeCodeHash.description))
            #expect(report.check(named: "chain-seals")?.passed == true)
            #expect(!report.allPassed)
        }
    }

    @Test func unfinalizedModelFailsTheLineageCheck() async throws {
        try await Self.withChain { fixture in
            let a = LineageFixture.companyA
            let data = try await fixture.registerDataset(a, file: try fixture.writeCSV("d.csv", seed: 3), id: "d")
            let open = try await fixture.registerModel(a, fixture.registration(id: "open", datasets: [data]), weights: nil)
            let report = try await LineageAuditor(client: fixture.client).audit(model: open)
            #expect(report.checks.filter { !$0.passed }.map(\.name) == ["lineage"])
            #expect(report.check(named: "lineage")?.evidence.contains("model \(open) is not finalized") == true)
        }
    }

    @Test func parentThatOnlyClaimsToBeFinalizedFailsTheLineageCheck() async throws {
        try await Self.withChain { fixture in
            let a = LineageFixture.companyA
            // A contract that answers 1 to every call: the child's constructor sees finalized() == true.
            let answerOne: [UInt8] = [0x60, 0x01, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]
            let initCode: [UInt8] = [0x60, UInt8(answerOne.count), 0x60, 0x0c, 0x60, 0x00, 0x39,
                                     0x60, UInt8(answerOne.count), 0x60, 0x00, 0xf3] + answerOne
            let fakeParent = try await fixture.deploy(a, initCode)
            let child = try await fixture.registerModel(
                a, fixture.registration(id: "child", datasets: [], parent: fakeParent, relation: .fineTunedFrom),
                weights: try fixture.writeArtifact("c.bin", seed: 5))
            let report = try await LineageAuditor(client: fixture.client).audit(model: child)
            let lineage = try #require(report.check(named: "lineage"))
            #expect(!lineage.passed)
            #expect(lineage.evidence.contains("model \(fakeParent) could not be read"))
            #expect(report.check(named: "model-code-hash@\(fakeParent)")?.passed == false)
            #expect(report.check(named: "model-code-hash@\(child)")?.passed == true)
        }
    }

    @Test func nodeThatLiesInEthCallIsCaughtByTheStorageProof() async throws {
        try await Self.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            let weightsCall = Hex.encode(try fixture.model.weightsHash().data)
            // The liar answers weightsHash() with another hash; everything else it passes on.
            let liar = try await LoopbackServer.lying(fixture.chain.node.dispatcher) { request, reply in
                guard request["method"] == "eth_call", request["params"]?.arrayValue?.first?["input"]?.stringValue == weightsCall,
                      case .object(var fields) = reply else { return reply }
                fields["result"] = .string("0x" + String(repeating: "ab", count: 32))
                return .object(fields)
            }
            let client = try JSONRPCLedgerClient(url: liar.url)
            let report = try await LineageAuditor(client: client).audit(model: lineage.grandchild)
            await liar.stop()
            let storage = try #require(report.check(named: "model-storage-proof@\(lineage.grandchild)"))
            #expect(!storage.passed)
            #expect(storage.evidence.contains("proven storage differs from the getters: weightsHash"))
            #expect(report.check(named: "chain-seals")?.passed == true)
        }
    }

    @Test func fullAuditOfThreeLevelsTime() async throws {
        try await Self.withChain { fixture in
            let lineage = try await fixture.threeLevels()
            let auditor = try LineageAuditor(client: fixture.client)
            var times: [Double] = []
            for _ in 0..<5 {
                let start = ContinuousClock.now
                let report = try await auditor.audit(model: lineage.grandchild, artifactPath: lineage.grandchildWeights,
                                                     datasetPaths: [lineage.ownCSV, lineage.sharedCSV])
                let elapsed = ContinuousClock.now - start
                #expect(report.allPassed)
                times.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
            }
            times.sort()
            let head = try await fixture.client.blockNumber()
            print(String(format: "audit of a 3-level lineage (3 models, 2 datasets, %llu blocks) over JSON-RPC: "
                         + "min %.1f ms, median %.1f ms", head, times[0] * 1e3, times[times.count / 2] * 1e3))
        }
    }
}
