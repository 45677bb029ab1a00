import Contracts
import LedgerCrypto
import Foundation
import LedgerClient
import ModelSharing
import OnlineLearning
import Primitives
import Registry
import RPC
import Testing

/// One view call of a record, decoded.
func view<R>(_ client: any LedgerClient, _ call: ContractCall<R>, at address: Address) async throws -> R {
    var request = CallRequest()
    request.to = address
    request.input = call.data
    return try call.decode(try await client.call(request, at: .latest))
}

func address(_ text: String) throws -> Address { try Address(bytes: Hex.decode(text)) }

/// Records what the serving slot held at the moment a snapshot's contract was anchored.
final class AnchorProbe: @unchecked Sendable {
    let lock = NSLock()
    var service: OnlineLearningService?
    var servedAtAnchor: [UUID?] = []
    var failNextStore = false
}

@Suite(.serialized) struct OnlineServiceTests {
    /// Feeds hourly messages one by one (waiting for training after each) until `until` holds.
    func feed(_ service: OnlineLearningService, from: Int, hours: Int, source: String = "http", firstPosition: Int64? = nil,
              until: (ServiceState) -> Bool = { _ in false }) async -> Int {
        for (k, message) in hourlyMessages(firstHour: from, hours: hours).enumerated() {
            await service.ingest(payload: message, source: source, position: firstPosition.map { $0 + Int64(k) }, durable: true)
            await service.waitForTraining()
            if until(await service.currentState) { return from + k + 1 }
        }
        return from + hours
    }

    @Test func batchPolicyRunsAStepPerBatchOnceAWindowAndAValidationWindowExist() async throws {
        try await OnlineHarness.with { h in
            let service = try await h.hub.declare(try h.spec())
            // lateness 0: hour n closes when hour n + 1's first reading arrives; 60 hours make one
            // window of 36 + 24, so the first step needs 61 closed hours, then one per 12.
            _ = await feed(service, from: 0, hours: 61)
            #expect(await service.currentState.trainingSteps == 0, "61 messages close 60 hours: no window to validate yet")
            _ = await feed(service, from: 61, hours: 1)
            #expect(await service.currentState.trainingSteps == 1)
            _ = await feed(service, from: 62, hours: 11)
            #expect(await service.currentState.trainingSteps == 1)
            _ = await feed(service, from: 73, hours: 1)
            #expect(await service.currentState.trainingSteps == 2)
            #expect(await service.currentState.closedHours == 73)
        }
    }

    @Test func readingsBatchPolicyCountsAcceptedReadings() async throws {
        try await OnlineHarness.with { h in
            var spec = try h.spec()
            spec.batch = .readings(400)
            let service = try await h.hub.declare(spec)
            // Four readings per message: the 100th message brings the count to 400.
            _ = await feed(service, from: 0, hours: 99)
            #expect(await service.currentState.trainingSteps == 0)
            #expect(await service.currentState.readingsSinceStep == 396)
            _ = await feed(service, from: 99, hours: 1)
            #expect(await service.currentState.trainingSteps == 1)
            #expect(await service.currentState.readingsSinceStep == 0)
        }
    }

    @Test func snapshotChainIsAnchoredBeforeItIsServed() async throws {
        let probe = AnchorProbe()
        var faults = SharingFaults()
        faults.afterAnchor = {
            probe.lock.withLock { probe.servedAtAnchor.append(probe.service?.serving.model?.snapshot.id) }
        }
        try await OnlineHarness.with(faults: faults) { h in
            let service = try await h.hub.declare(try h.spec())
            probe.lock.withLock { probe.service = service }
            #expect(service.serving.model == nil)
            _ = await feed(service, from: 0, hours: 400) { $0.snapshots.count >= 3 }
            let chain = await service.currentState.snapshots
            try #require(chain.count >= 3, "validation should improve at least twice on a daily cycle")
            // At each anchoring the previous snapshot (or nothing) was being served, never the new one.
            let seen = probe.lock.withLock { probe.servedAtAnchor }
            #expect(seen.count == chain.count)
            #expect(seen.first == .some(nil))
            for k in 1..<chain.count { #expect(seen[k] == chain[k - 1].id) }
            #expect(service.serving.model?.snapshot.id == chain.last?.id)

            let binding = try ModelRecordBinding()
            for (k, entry) in chain.enumerated() {
                let record = try address(entry.contractAddress)
                #expect(try await view(h.client, binding.weightsHash(), at: record).description == entry.weightsHash)
                #expect(try await view(h.client, binding.finalized(), at: record))
                let relation = try await view(h.client, binding.relation(), at: record)
                let parent = try await view(h.client, binding.parent(), at: record)
                if k == 0 {
                    #expect(relation == .none && parent == .zero)
                } else {
                    #expect(relation == .onlineSnapshotOf)
                    #expect(parent == (try address(chain[k - 1].contractAddress)))
                    #expect(entry.validationMSE < chain[k - 1].validationMSE)
                }
                let recorded = JSONValue.parse(Array(try await view(h.client, binding.hyperParameters(), at: record).utf8))
                #expect(recorded?["validation_mse"]?.doubleValue == entry.validationMSE)
                #expect(recorded?["first_hour"]?.stringValue == "1970-01-01T00:00:00Z")
                #expect(recorded?["online_service"]?.stringValue == "house-1")
                // Indexed and downloadable, the bytes matching the anchored hash.
                let stored = try await h.sharing.verifiedModelBytes(id: entry.id, company: "acme")
                #expect(stored.weightsHash.description == entry.weightsHash)
            }
        }
    }

    @Test func aSnapshotThatFailsToAnchorIsNeverServed() async throws {
        let probe = AnchorProbe()
        probe.failNextStore = true
        var faults = SharingFaults()
        faults.afterStore = {
            let fail = probe.lock.withLock { () -> Bool in defer { probe.failNextStore = false }; return probe.failNextStore }
            if fail { throw OnlineLearningError(status: 500, "injected store failure") }
        }
        try await OnlineHarness.with(faults: faults) { h in
            let service = try await h.hub.declare(try h.spec())
            _ = await feed(service, from: 0, hours: 62)
            #expect(await service.currentState.trainingSteps == 1)
            #expect(await service.currentState.snapshots.isEmpty)
            #expect(await service.currentState.pending == nil)
            #expect(service.serving.model == nil)
            #expect(try await h.registry.models(.init(company: "acme")).isEmpty, "nothing indexed for the failed snapshot")
            _ = await feed(service, from: 62, hours: 12)
            #expect(await service.currentState.snapshots.count == 1, "the next improvement anchors")
            #expect(service.serving.model != nil)
        }
    }

    @Test func restartResumesFromRecordedPositionsWithTheSameChain() async throws {
        try await OnlineHarness.with { h in
            let source = "kafka://127.0.0.1:9092/readings#0"
            let service = try await h.hub.declare(try h.spec(#", "sources": ["http", "kafka://127.0.0.1:9092/readings"]"#))
            let next = await feed(service, from: 0, hours: 200, source: source, firstPosition: 1000) { $0.snapshots.count >= 1 }
            let before = await service.currentState
            #expect(await service.lastPosition(source: source) == 1000 + Int64(next) - 1)
            // A new hub over the same directory, the old one never stopped (kill -9).
            try await h.reopen()
            let resumed = try #require(h.hub.service("house-1"))
            let after = await resumed.currentState
            #expect(after == before)
            #expect(resumed.serving.model?.snapshot == before.snapshots.last)
            #expect(await resumed.lastPosition(source: source) == 1000 + Int64(next) - 1)
            // The stream resends its last message: dropped as a replay; the next one is taken.
            let replay = await resumed.ingest(payload: hourlyMessages(firstHour: next - 1, hours: 1)[0], source: source, position: 1000 + Int64(next) - 1)
            #expect(replay.dropped == [.replayed: 1] && replay.accepted == 0)
            let fresh = await resumed.ingest(payload: hourlyMessages(firstHour: next, hours: 1)[0], source: source, position: 1000 + Int64(next))
            #expect(fresh.accepted == 4 && fresh.closedHours == 1)
        }
    }

    @Test func aPendingSnapshotIsAdoptedWhenIndexedAndDroppedOtherwise() async throws {
        try await OnlineHarness.with { h in
            let service = try await h.hub.declare(try h.spec())
            _ = await feed(service, from: 0, hours: 200) { $0.snapshots.count >= 1 }
            var state = await service.currentState
            let files = ServiceFiles(root: h.directory.appendingPathComponent("online-learning"), name: "house-1")
            // Killed after the registry row was committed, before the chain was written.
            let anchored = state.snapshots.removeLast()
            state.pending = anchored
            try files.writeState(state)
            try await h.reopen()
            var resumed = try #require(h.hub.service("house-1"))
            #expect(await resumed.currentState.snapshots.last == anchored)
            #expect(await resumed.currentState.pending == nil)
            // Killed before anything was indexed: the pending snapshot was never served; dropped.
            state = await resumed.currentState
            var ghost = anchored
            ghost.id = UUID()
            state.pending = ghost
            try files.writeState(state)
            try await h.reopen()
            resumed = try #require(h.hub.service("house-1"))
            #expect(await resumed.currentState.snapshots.count == state.snapshots.count)
            #expect(await resumed.currentState.snapshots.contains { $0.id == ghost.id } == false)
            #expect(await resumed.currentState.pending == nil)
        }
    }
}
