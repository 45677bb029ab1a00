import Chain
import Contracts
import LedgerCrypto
import LedgerClient
import Primitives
import RPC
import Testing

/// The rules the record contracts enforce, exercised over JSON-RPC: eth_call and
/// eth_estimateGas report the revert reason; a mined violation has receipt status 0.
@Suite struct ContractRuleTests {
    /// True when `error` is a revert whose reason is `reason`.
    static func reverted(_ error: any Error, _ reason: String) -> Bool {
        guard case LedgerClientError.reverted(let data, let given) = error else { return false }
        return given == reason && (try? RevertReason(data: data)) == .error(reason)
    }

    @Test func nonOwnerFinalizeReverts() async throws {
        try await LineageAuditTests.withChain { fixture in
            let (a, b) = (LineageFixture.companyA, LineageFixture.companyB)
            let data = try await fixture.registerDataset(a, file: try fixture.writeCSV("d.csv", seed: 1), id: "d")
            let model = try await fixture.registerModel(a, fixture.registration(id: "m", datasets: [data]), weights: nil)
            let finalize = try fixture.model.finalize(weightsHash: Keccak256.hash([1]), metricsHash: .zero)
            await #expect { _ = try await fixture.call(b, to: model, data: finalize) } throws: { Self.reverted($0, "not owner") }
            // Mined anyway (fixed gas, no estimate): status 0 and nothing changes.
            let receipt = try await fixture.send(b, to: model, data: finalize, gas: 200_000)
            #expect(!receipt.receipt.succeeded)
            let finalized = try fixture.model.finalized()
            #expect(try finalized.decode(try await fixture.call(a, to: model, data: finalized.data)) == false)
            // The owner may finalize.
            try await fixture.expectSuccess(try await fixture.send(a, to: model, data: finalize))
            #expect(try finalized.decode(try await fixture.call(a, to: model, data: finalized.data)) == true)
        }
    }

    @Test func secondFinalizeReverts() async throws {
        try await LineageAuditTests.withChain { fixture in
            let a = LineageFixture.companyA
            let data = try await fixture.registerDataset(a, file: try fixture.writeCSV("d.csv", seed: 1), id: "d")
            let model = try await fixture.registerModel(a, fixture.registration(id: "m", datasets: [data]),
                                                        weights: try fixture.writeArtifact("w.bin", seed: 1))
            let again = try fixture.model.finalize(weightsHash: Keccak256.hash([2]), metricsHash: .zero)
            var request = CallRequest()
            request.from = try LineageFixture.address(a)
            request.to = model
            request.input = again
            await #expect { _ = try await fixture.client.estimateGas(request, at: .latest) } throws: { Self.reverted($0, "finalized") }
            // The dataset is frozen too.
            await #expect { _ = try await fixture.call(a, to: data, data: try fixture.dataset.finalize()) } throws: {
                Self.reverted($0, "finalized")
            }
        }
    }

    @Test func modelCitingAnUnfinalizedDatasetReverts() async throws {
        try await LineageAuditTests.withChain { fixture in
            let (a, b) = (LineageFixture.companyA, LineageFixture.companyB)
            let open = try await fixture.registerDataset(a, file: try fixture.writeCSV("d.csv", seed: 1), id: "d", finalize: false)
            let deploy = try fixture.model.deployData(fixture.registration(id: "m", datasets: [open]))
            await #expect { _ = try await fixture.call(a, to: nil, data: deploy) } throws: { Self.reverted($0, "dataset not citable") }
            let receipt = try await fixture.send(a, to: nil, data: deploy, gas: 3_000_000)
            #expect(!receipt.receipt.succeeded)
            // Finalized but another company's and not shared: still not citable by B.
            try await fixture.expectSuccess(try await fixture.send(a, to: open, data: try fixture.dataset.finalize()))
            await #expect { _ = try await fixture.call(b, to: nil, data: deploy) } throws: { Self.reverted($0, "dataset not citable") }
            // Company A, the owner, may cite it now.
            var request = CallRequest()
            request.from = try LineageFixture.address(a)
            request.input = deploy
            #expect(try await fixture.client.estimateGas(request, at: .latest) > 100_000)
        }
    }

    @Test func childOfAnUnfinalizedParentReverts() async throws {
        try await LineageAuditTests.withChain { fixture in
            let a = LineageFixture.companyA
            let data = try await fixture.registerDataset(a, file: try fixture.writeCSV("d.csv", seed: 1), id: "d")
            let parent = try await fixture.registerModel(a, fixture.registration(id: "p", datasets: [data]), weights: nil)
            let deploy = try fixture.model.deployData(fixture.registration(id: "c", datasets: [], parent: parent,
                                                                           relation: .fineTunedFrom))
            await #expect { _ = try await fixture.call(a, to: nil, data: deploy) } throws: { Self.reverted($0, "parent not finalized") }
        }
    }
}
