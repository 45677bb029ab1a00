import LedgerCrypto
import Foundation
import HummingbirdTesting
import ModelSharing
import NIOCore
import ObjectStore
import Primitives
import Registry
import RPC
import Testing

/// Integrity before serving, all-or-nothing registration, and refused input.
@Suite(.serialized) struct IntegrityTests {
    /// Flips one byte of the only stored object at `offset`.
    static func flipByte(_ harness: SharingHarness, at offset: Int) throws {
        let files = harness.storedFiles()
        try #require(files.count == 1)
        var data = try Data(contentsOf: files[0])
        data[offset] ^= 0x01
        try data.write(to: files[0])
    }

    @Test func flippedByteAnswers409BeforeTheFirstByte() async throws {
        try await SharingHarness.with { harness, client in
            let id = try await RoundTripTests.postCSV(client)
            try Self.flipByte(harness, at: 20)
            let (status, _, body) = try await HTTP.bytes(client, "/dataset/\(id)")
            #expect(status == .conflict)
            #expect(JSONValue.parse(body)?["error"]?.stringValue == "integrity")
        }
    }

    @Test func flippedModelByteAnswers409() async throws {
        try await SharingHarness.with { harness, client in
            let dataset = try await RoundTripTests.postCSV(client)
            var body = MultipartBody()
            body.field("metadata", #"{"model_params": {"developer_id": "d", "organization_id": "acme", "train_image": "img"}, "data_params": {"dataset_id": "\#(dataset)"}}"#)
            body.file("model", filename: "m.bin", testBytes(200_000))
            let (_, created) = try await HTTP.multipart(client, .post, "/model", body.closed())
            let id = try #require(created["model_id"]?.stringValue)
            // The chain holds the file's chunk root beside its Keccak.
            let (_, metadata) = try await HTTP.json(client, .get, "/model/\(id)/metadata")
            let address = try #require(metadata["contract_address"]?.stringValue)
            let anchored = try await harness.service.reader.read(harness.service.reader.model.artifactCommitment(),
                                                                 at: try Address(bytes: Hex.decode(address)))
            #expect(anchored.description == metadata["chunk_root"]?.stringValue)
            // The dataset's file and the model's: flip a byte in the model's first chunk.
            let model = try #require(harness.storedFiles().first { $0.path.contains("/models/") })
            var data = try Data(contentsOf: model)
            data[100] ^= 0x80
            try data.write(to: model)
            let (status, _, answer) = try await HTTP.bytes(client, "/model/\(id)")
            #expect(status == .conflict)
            #expect(JSONValue.parse(answer)?["error"]?.stringValue == "integrity")
        }
    }

    @Test func truncatedOrMissingObjectAnswers409() async throws {
        try await SharingHarness.with { harness, client in
            let id = try await RoundTripTests.postCSV(client)
            let file = harness.storedFiles()[0]
            let data = try Data(contentsOf: file)
            try data.prefix(data.count - 1).write(to: file)
            #expect(try await HTTP.bytes(client, "/dataset/\(id)").0 == .conflict)
            try FileManager.default.removeItem(at: file)
            let (status, _, body) = try await HTTP.bytes(client, "/dataset/\(id)")
            #expect(status == .conflict)
            #expect(JSONValue.parse(body)?["error"]?.stringValue == "integrity")
        }
    }

    @Test func laterChunkTamperedNeverGivesACompleteBody() async throws {
        try await SharingHarness.with { harness, client in
            let content = testBytes(4 * 65_536)
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme"}"#)
            body.file("data", filename: "raw.bin", content)
            let (_, created) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            let id = try #require(created["dataset_id"]?.stringValue)
            try Self.flipByte(harness, at: 3 * 65_536 + 5)
            // The first chunk checks out, so the response starts; the bad chunk ends it early.
            do {
                let (status, _, got) = try await HTTP.bytes(client, "/dataset/\(id)")
                #expect(!(status == .ok && got.count == content.count), "a tampered object was served whole")
                #expect(got.count <= 3 * 65_536)
            } catch {
                // The server aborted the response: what the client must see.
            }
        }
    }

    @Test func sweepRemovesObjectsOfUnfinishedRegistrations() async throws {
        try await SharingHarness.with { harness, _ in
            let location = try ObjectLocation(company: "acme", key: "models/orphan/x")
            try await harness.registry.addPendingObject(company: location.company, key: location.key)
            let upload = try await harness.store.beginUpload(location)
            try await upload.write(ArraySlice(testBytes(100)))
            _ = try await upload.commit()
            #expect(harness.storedFiles().count == 1)
            #expect(try await harness.service.sweep() >= 1)
            #expect(harness.storedFiles().isEmpty)
            #expect(try await harness.registry.pendingObjects().isEmpty)
        }
    }
}

@Suite(.serialized) struct AtomicityTests {
    struct Injected: Error {}

    static func expectNothingLeft(_ harness: SharingHarness, datasets: Int = 0) async throws {
        #expect(harness.storedFiles().count == datasets, "\(harness.storedFiles())")
        #expect(try await harness.registry.pendingObjects().isEmpty)
        #expect(try await harness.registry.models(RegistryFilter(company: "acme")).isEmpty)
        #expect(try await harness.registry.datasets(RegistryFilter(company: "acme")).count == datasets)
    }

    static func datasetUpload() -> [UInt8] {
        var body = MultipartBody()
        body.field("metadata", #"{"organization_id": "acme"}"#)
        body.file("file", filename: "readings.csv", testCSV(rows: 10))
        return body.closed()
    }

    @Test(arguments: ["afterStore", "afterAnchor"])
    func failureAtAStepUndoesTheEarlierOnes(step: String) async throws {
        var faults = SharingFaults()
        if step == "afterStore" { faults.afterStore = { throw Injected() } } else { faults.afterAnchor = { throw Injected() } }
        try await SharingHarness.with(faults: faults) { harness, client in
            let (status, _) = try await HTTP.multipart(client, .post, "/dataset", Self.datasetUpload())
            #expect(status == .internalServerError)
            try await Self.expectNothingLeft(harness)
        }
    }

    @Test(arguments: ["afterStore", "afterAnchor"])
    func failedResultUploadLeavesTheModelOpen(step: String) async throws {
        let fail = FailSwitch()
        var faults = SharingFaults()
        let hook: @Sendable () async throws -> Void = { if await fail.on { throw Injected() } }
        if step == "afterStore" { faults.afterStore = hook } else { faults.afterAnchor = hook }
        try await SharingHarness.with(faults: faults) { harness, client in
            let dataset = try await RoundTripTests.postCSV(client)
            let (_, created) = try await HTTP.json(client, .post, "/model", .object([
                "model_params": .object(["developer_id": .string("d"), "organization_id": .string("acme"), "train_image": .string("i")]),
                "data_params": .object(["dataset_id": .string(dataset)]),
            ]))
            let id = try #require(created["model_id"]?.stringValue)
            await fail.set(true)
            var result = MultipartBody()
            result.file("model", filename: "w.bin", testBytes(5_000))
            #expect(try await HTTP.multipart(client, .put, "/model/\(id)", result.closed()).0 == .internalServerError)
            #expect(harness.storedFiles().count == 1)  // the dataset's file only
            #expect(try await harness.registry.pendingObjects().isEmpty)
            #expect(try await harness.registry.model(id: UUID(uuidString: id)!)?.status == .registered)
        }
    }

    @Test func clientGoneMidUploadLeavesNothing() async throws {
        try await SharingHarness.with { harness, client in
            let whole = Self.datasetUpload()
            let (status, json) = try await HTTP.multipart(client, .post, "/dataset", Array(whole.prefix(whole.count - 60)))
            #expect(status == .badRequest, "\(json.serialized)")
            try await Self.expectNothingLeft(harness)
        }
    }
}

actor FailSwitch {
    var on = false
    func set(_ value: Bool) { on = value }
}
