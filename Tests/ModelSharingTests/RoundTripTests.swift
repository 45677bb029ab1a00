import LedgerCrypto
import Foundation
import HummingbirdTesting
import ModelSharing
import NIOCore
import Primitives
import Registry
import RPC
import Testing

/// Datasets and models registered in both shapes (JSON and multipart), read back as written,
/// downloaded byte for byte.
@Suite(.serialized) struct RoundTripTests {
    static let datasetJSON: JSONValue = .object([
        "organization_id": .string("acme"), "samples_dimension": .string("(500,500)"),
        "size_bytes": .integer(1_048_576), "hash": .string("0x" + String(repeating: "ab", count: 32)),
    ])

    /// Registers a CSV dataset by multipart and returns its id.
    static func postCSV(_ client: any TestClientProtocol, organization: String = "acme", rows: Int = 50) async throws -> String {
        var body = MultipartBody()
        body.field("metadata", #"{"organization_id": "\#(organization)", "developer_id": "dev1", "samples_dimension": "(2)", "sample_num": \#(rows)}"#)
        body.file("file", filename: "readings.csv", testCSV(rows: rows))
        let (status, json) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
        #expect(status == .ok, "\(json.serialized)")
        return try #require(json["dataset_id"]?.stringValue)
    }

    /// A headerless float32 file: scanned as samples of `samples_dimension` values (the shape
    /// anchored as written), its per-feature statistics on the record; a size that is not whole
    /// samples, or an unknown dtype, is a 422 naming the problem and stores nothing.
    @Test func rawFloatDatasetIsScannedWithItsDeclaredShape() async throws {
        try await SharingHarness.with { harness, client in
            let values: [Float] = (0..<60).map { Float($0) * 0.25 - 3 }   // 10 samples of (2,3)
            let file = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme", "samples_dimension": "(2,3)"}"#)
            body.file("file", filename: "window.f32", file)
            let (status, created) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .ok, "\(created.serialized)")
            let id = try #require(created["dataset_id"]?.stringValue)
            let (_, metadata) = try await HTTP.json(client, .get, "/dataset/\(id)/metadata")
            #expect(metadata["sample_count"] == .integer(10))
            let address = try #require(metadata["contract_address"]?.stringValue)
            let (_, record) = try await HTTP.json(client, .get, "/contract/dataset/\(address)")
            let features = try #require(record["statistics"]?["features"]?.arrayValue)
            #expect(features.count == 6)
            #expect(record["sample_num"] == .integer(10) || record["sample_count"] == .integer(10), "\(record.serialized)")

            var partial = MultipartBody()
            partial.field("metadata", #"{"organization_id": "acme", "samples_dimension": "(2,3)"}"#)
            partial.file("file", filename: "window.f32", Array(file.dropLast(4)))
            let (refused, error) = try await HTTP.multipart(client, .post, "/dataset", partial.closed())
            #expect(refused == .unprocessableContent, "\(error.serialized)")
            #expect(error.serialized.contains("whole number of 24-byte samples"), "\(error.serialized)")

            var unknown = MultipartBody()
            unknown.field("metadata", #"{"organization_id": "acme", "dtype": "bfloat16"}"#)
            unknown.file("file", filename: "blob.bin", file)
            let (refusedType, typeError) = try await HTTP.multipart(client, .post, "/dataset", unknown.closed())
            #expect(refusedType == .unprocessableContent)
            #expect(typeError.serialized.contains("dtype"), "\(typeError.serialized)")
            #expect(harness.storedFiles().count == 1, "only the accepted dataset is stored")
        }
    }

    @Test func datasetJSONReadsBackAsWritten() async throws {
        try await SharingHarness.with { _, client in
            let (status, created) = try await HTTP.json(client, .post, "/dataset", Self.datasetJSON)
            #expect(status == .ok, "\(created.serialized)")
            let id = try #require(created["dataset_id"]?.stringValue)
            #expect(UUID(uuidString: id) != nil)
            let (got, metadata) = try await HTTP.json(client, .get, "/dataset/\(id)/metadata")
            #expect(got == .ok)
            for key in ["organization_id", "samples_dimension", "size_bytes", "hash"] {
                #expect(metadata[key] == Self.datasetJSON[key], "\(key): \(metadata.serialized)")
            }
            #expect(metadata["status"]?.stringValue == "finalized")
            #expect(metadata["contract_address"]?.stringValue?.count == 42)
            // No file was given: nothing to download.
            #expect(try await HTTP.bytes(client, "/dataset/\(id)").0 == .notFound)
            let (listed, list) = try await HTTP.json(client, .get, "/datasets?organization_id=acme")
            #expect(listed == .ok)
            #expect(list["datasets"]?.arrayValue?.count == 1)
            #expect(try await HTTP.json(client, .get, "/datasets?organization_id=globex").1["datasets"]?.arrayValue?.count == 0)
        }
    }

    @Test func datasetMultipartIsScannedAnchoredAndServed() async throws {
        try await SharingHarness.with { harness, client in
            let csv = testCSV(rows: 50)
            let id = try await Self.postCSV(client)
            let (_, metadata) = try await HTTP.json(client, .get, "/dataset/\(id)/metadata")
            #expect(metadata["samples_dimension"]?.stringValue == "(2)")
            #expect(metadata["sample_num"] == .integer(50))
            #expect(metadata["sample_count"] == .integer(50))
            #expect(metadata["size_bytes"] == .integer(Int64(csv.count)))
            #expect(metadata["keccak256"]?.stringValue == Keccak256.hash(csv).description)
            // The anchored record carries the file's commitment and the scanned statistics.
            let address = try #require(metadata["contract_address"]?.stringValue)
            let (_, record) = try await HTTP.json(client, .get, "/contract/dataset/\(address)")
            #expect(record["hash"]?.stringValue == metadata["chunk_root"]?.stringValue)
            #expect(record["finalized"] == .bool(true))
            #expect(record["statistics"]?["features"]?.arrayValue?.count == 2)

            let (status, headers, body) = try await HTTP.bytes(client, "/dataset/\(id)")
            #expect(status == .ok)
            #expect(body == csv)
            #expect(headers[.eTag] == "\"\(Keccak256.hash(csv))\"")
            #expect(headers[.contentLength] == String(csv.count))
            let (partial, partialHeaders, slice) = try await HTTP.bytes(client, "/dataset/\(id)", headers: [.range: "bytes=10-19"])
            #expect(partial == .partialContent)
            #expect(slice == Array(csv[10..<20]))
            #expect(partialHeaders[.contentRange] == "bytes 10-19/\(csv.count)")
            #expect(try await HTTP.bytes(client, "/dataset/\(id)", headers: [.range: "bytes=\(csv.count)-"]).0 == .rangeNotSatisfiable)
            #expect(try await harness.registry.pendingObjects().isEmpty)
            #expect(harness.storedFiles().count == 1)
        }
    }

    @Test func multiChunkDownloadAndRanges() async throws {
        try await SharingHarness.with { _, client in
            let content = testBytes(3 * 65_536 + 1_000)
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme", "samples_dimension": "4x4"}"#)
            body.file("data", filename: "raw.bin", content)
            let (status, created) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .ok, "\(created.serialized)")
            let id = try #require(created["dataset_id"]?.stringValue)
            #expect(try await HTTP.bytes(client, "/dataset/\(id)").2 == content)
            for (range, expected) in [("bytes=65530-131080", 65_530..<131_081), ("bytes=-100", content.count - 100..<content.count),
                                      ("bytes=196600-", 196_600..<content.count)] {
                let (code, _, slice) = try await HTTP.bytes(client, "/dataset/\(id)", headers: [.range: range])
                #expect(code == .partialContent)
                #expect(slice == Array(content[expected]), "\(range)")
            }
        }
    }

    @Test func modelJSONThenResultUploadThenDownload() async throws {
        try await SharingHarness.with { harness, client in
            let dataset = try await Self.postCSV(client)
            let model: JSONValue = .object([
                "model_params": .object([
                    "developer_id": .string("dev1"), "organization_id": .string("acme"), "train_image": .string("mledger/gru:1"),
                    "params": .object(["lr": .string("0.001"), "epochs": .integer(3)]), "seeds": .array([.integer(7)]),
                    "input_shape": .array([.integer(24), .integer(1)]), "sample_dimension": .string("(24,1)"),
                ]),
                "data_params": .object(["dataset_id": .string(dataset)]),
            ])
            let (status, created) = try await HTTP.json(client, .post, "/model", model)
            #expect(status == .ok, "\(created.serialized)")
            let id = try #require(created["model_id"]?.stringValue)
            let (_, before) = try await HTTP.json(client, .get, "/model/\(id)/metadata")
            #expect(before["model_params"]?["res_hash"] == .null)
            #expect(before["model_params"]?["sample_dimension"]?.stringValue == "(24,1)")
            #expect(before["model_params"]?["params"] == model["model_params"]?["params"])
            #expect(before["data_params"]?["dataset_id"]?.stringValue == dataset)
            #expect(before["status"]?.stringValue == "registered")
            #expect(try await HTTP.bytes(client, "/model/\(id)").0 == .notFound)

            let weights = testBytes(70_000, seed: 9)
            var result = MultipartBody()
            result.file("model", filename: "weights.safetensors", weights)
            let (put, answered) = try await HTTP.multipart(client, .put, "/model/\(id)", result.closed())
            #expect(put == .ok, "\(answered.serialized)")
            #expect(answered["model_params"]?["res_hash"]?.stringValue == Keccak256.hash(weights).description)
            let (_, after) = try await HTTP.json(client, .get, "/metadata/\(id)")
            #expect(after == answered)
            #expect(after["artifact_size"] == .integer(70_000))
            // The chain holds the weights' Keccak (what `mledger audit` checks).
            let address = try #require(after["contract_address"]?.stringValue)
            let (_, record) = try await HTTP.json(client, .get, "/contract/model/\(address)")
            #expect(record["model_params"]?["res_hash"]?.stringValue == Keccak256.hash(weights).description)

            let (code, headers, body) = try await HTTP.bytes(client, "/model/\(id)")
            #expect(code == .ok)
            #expect(body == weights)
            #expect(headers[.eTag] == "\"\(Keccak256.hash(weights))\"")

            // Final: a second result is refused and stores nothing.
            let files = harness.storedFiles().count
            let (again, refused) = try await HTTP.multipart(client, .put, "/model/\(id)", result.closed())
            #expect(again == .conflict, "\(refused.serialized)")
            #expect(harness.storedFiles().count == files)

            let (_, listed) = try await HTTP.json(client, .get, "/models?organization_id=acme&dataset=\(dataset)&status=finalized")
            #expect(listed["models"]?.arrayValue?.count == 1)
            #expect(try await HTTP.json(client, .get, "/models?organization_id=acme&status=registered").1["models"]?.arrayValue?.count == 0)
        }
    }

    @Test func modelMultipartIsFinalizedWithItsFile() async throws {
        try await SharingHarness.with { _, client in
            let dataset = try await Self.postCSV(client)
            let weights = testBytes(1_000, seed: 3)
            var body = MultipartBody()
            body.field("metadata", #"{"model_params": {"developer_id": "dev2", "organization_id": "acme", "train_image": "img", "params": "{\"lr\": 0.1}"}, "data_params": {"dataset_id": "\#(dataset)"}}"#)
            body.file("model", filename: "model.onnx", weights)
            let (status, created) = try await HTTP.multipart(client, .post, "/model", body.closed())
            #expect(status == .ok, "\(created.serialized)")
            let id = try #require(created["model_id"]?.stringValue)
            let (_, metadata) = try await HTTP.json(client, .get, "/model/\(id)/metadata")
            #expect(metadata["model_params"]?["params"]?.stringValue == #"{"lr": 0.1}"#)
            #expect(metadata["model_params"]?["res_hash"]?.stringValue == Keccak256.hash(weights).description)
            #expect(metadata["status"]?.stringValue == "finalized")
            #expect(try await HTTP.bytes(client, "/model/\(id)").2 == weights)
            #expect(try await HTTP.json(client, .get, "/models?organization_id=acme&developer=dev2").1["models"]?.arrayValue?.count == 1)
        }
    }

    @Test func unverifiedModel() async throws {
        try await SharingHarness.with { _, client in
            let posted: JSONValue = .object(["developer_id": .string("dev1"), "organization_id": .string("acme"),
                                             "hash": .string("0x" + String(repeating: "12", count: 32))])
            let (status, created) = try await HTTP.json(client, .post, "/model/unverified", posted)
            #expect(status == .ok, "\(created.serialized)")
            let id = try #require(created["model_id"]?.stringValue)
            let (_, metadata) = try await HTTP.json(client, .get, "/metadata/\(id)")
            for key in ["developer_id", "organization_id", "hash"] { #expect(metadata[key] == posted[key], "\(key)") }
            #expect(metadata["status"]?.stringValue == "finalized")
        }
    }
}
