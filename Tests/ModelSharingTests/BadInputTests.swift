import Primitives
import Foundation
import Hummingbird
import HummingbirdTesting
import ModelSharing
import NIOCore
import Registry
import RPC
import Testing

/// Refused input: a JSON error naming the problem, and nothing stored.
@Suite(.serialized) struct BadInputTests {
    static func expectNothingStored(_ harness: SharingHarness) async throws {
        #expect(harness.storedFiles().isEmpty, "\(harness.storedFiles())")
        #expect(try await harness.registry.pendingObjects().isEmpty)
        #expect(try await harness.registry.datasets(RegistryFilter(company: "acme")).isEmpty)
    }

    /// Values whose statistics do not fit the record's fixed-point int256 fields: a 422 that
    /// says so, and nothing stored.
    @Test func statisticsBeyondTheFixedPointRangeAre422() async throws {
        try await SharingHarness.with { harness, client in
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme", "samples_dimension": "(1)"}"#)
            body.file("file", filename: "huge.csv", Array("x\n3e38\n-3e38\n1\n".utf8))
            let (status, error) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .unprocessableContent, "\(error.serialized)")
            #expect(error.serialized.contains("statistics cannot be anchored"), "\(error.serialized)")
            #expect(harness.storedFiles().isEmpty)
        }
    }

    @Test func oversizedJSONBody() async throws {
        try await SharingHarness.with { harness, client in
            let big = JSONValue.object(["organization_id": .string("acme"), "samples_dimension": .string("1"),
                                        "pad": .string(String(repeating: "x", count: 1 << 20))])
            let (status, json) = try await HTTP.json(client, .post, "/dataset", big)
            #expect(status == .contentTooLarge)
            #expect(json["error"]?.stringValue?.contains("larger than") == true)
            try await Self.expectNothingStored(harness)
        }
    }

    @Test func uploadAboveTheLimit() async throws {
        try await SharingHarness.with(configuration: ModelSharingConfiguration(maxUploadBytes: 100_000)) { harness, client in
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme"}"#)
            body.file("file", filename: "big.bin", testBytes(150_000))
            let (status, json) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .contentTooLarge, "\(json.serialized)")
            try await Self.expectNothingStored(harness)
        }
    }

    @Test func wrongContentTypeAndMissingParts() async throws {
        try await SharingHarness.with { harness, client in
            let plain = try await client.execute(uri: "/dataset", method: .post, headers: [.contentType: "text/plain"],
                                                 body: ByteBuffer(string: "hello")) { $0.status }
            #expect(plain == .unsupportedMediaType)
            var onlyMetadata = MultipartBody()
            onlyMetadata.field("metadata", #"{"organization_id": "acme"}"#)
            let (missingFile, fileError) = try await HTTP.multipart(client, .post, "/dataset", onlyMetadata.closed())
            #expect(missingFile == .unprocessableContent)
            #expect(fileError["error"]?.stringValue?.contains("file part") == true)
            var onlyFile = MultipartBody()
            onlyFile.file("file", filename: "a.csv", testCSV(rows: 3))
            let (missingMetadata, metadataError) = try await HTTP.multipart(client, .post, "/dataset", onlyFile.closed())
            #expect(missingMetadata == .unprocessableContent)
            #expect(metadataError["error"]?.stringValue?.contains("metadata") == true)
            try await Self.expectNothingStored(harness)
        }
    }

    @Test func invalidMetadataJSON() async throws {
        try await SharingHarness.with { harness, client in
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme", "#)
            body.file("file", filename: "a.csv", testCSV(rows: 3))
            let (status, json) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .unprocessableContent)
            #expect(json["field"]?.stringValue == "metadata")
            try await Self.expectNothingStored(harness)
        }
    }

    @Test(arguments: [("size_bytes", #""size_bytes": 3"#), ("hash", #""hash": "0x\#(String(repeating: "00", count: 31))01""#)])
    func claimsThatDisagreeWithTheFile(field: String, claim: String) async throws {
        try await SharingHarness.with { harness, client in
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme", \#(claim)}"#)
            body.file("file", filename: "a.csv", testCSV(rows: 3))
            let (status, json) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .unprocessableContent)
            #expect(json["field"]?.stringValue == field, "\(json.serialized)")
            try await Self.expectNothingStored(harness)
        }
    }

    @Test func pathTricksInIdsAndFileNames() async throws {
        try await SharingHarness.with { harness, client in
            for uri in ["/dataset/..%2F..%2Fetc%2Fpasswd", "/model/not-a-uuid/metadata", "/metadata/../../x"] {
                let status = try await HTTP.json(client, .get, uri).0
                #expect(status == .unprocessableContent || status == .notFound, "\(uri): \(status)")
            }
            var body = MultipartBody()
            body.field("metadata", #"{"organization_id": "acme"}"#)
            body.file("file", filename: "../../escape.csv", testCSV(rows: 3))
            let (status, json) = try await HTTP.multipart(client, .post, "/dataset", body.closed())
            #expect(status == .unprocessableContent)
            #expect(json["field"]?.stringValue == "filename")
            try await Self.expectNothingStored(harness)
        }
    }

    @Test func unknownForeignOrMalformedDataset() async throws {
        try await SharingHarness.with { harness, client in
            let foreign = try await RoundTripTests.postCSV(client, organization: "globex")
            func post(_ dataset: String) async throws -> (HTTPResponse.Status, JSONValue) {
                try await HTTP.json(client, .post, "/model", .object([
                    "model_params": .object(["developer_id": .string("d"), "organization_id": .string("acme"), "train_image": .string("i")]),
                    "data_params": .object(["dataset_id": .string(dataset)]),
                ]))
            }
            let (unknown, unknownJSON) = try await post(UUID().uuidString)
            #expect(unknown == .notFound)
            #expect(unknownJSON["error"]?.stringValue?.contains("data_params.dataset_id") == true)
            #expect(try await post(foreign).0 == .notFound)
            let (malformed, malformedJSON) = try await post("../x")
            #expect(malformed == .unprocessableContent)
            #expect(malformedJSON["field"]?.stringValue == "data_params.dataset_id")
            // A foreign dataset's metadata is not shown to another organization.
            #expect(try await HTTP.json(client, .get, "/dataset/\(foreign)/metadata?organization_id=acme").0 == .notFound)
            #expect(try await harness.registry.models(RegistryFilter(company: "acme")).isEmpty)
        }
    }

    @Test func duplicatePartsAndMissingOrganization() async throws {
        try await SharingHarness.with { harness, client in
            var twice = MultipartBody()
            twice.field("metadata", #"{"organization_id": "acme"}"#)
            twice.field("metadata", #"{"organization_id": "acme"}"#)
            twice.file("file", filename: "a.csv", testCSV(rows: 3))
            #expect(try await HTTP.multipart(client, .post, "/dataset", twice.closed()).0 == .unprocessableContent)
            var twoFiles = MultipartBody()
            twoFiles.field("metadata", #"{"organization_id": "acme"}"#)
            twoFiles.file("file", filename: "a.csv", testCSV(rows: 3))
            twoFiles.file("other", filename: "b.csv", testCSV(rows: 3))
            #expect(try await HTTP.multipart(client, .post, "/dataset", twoFiles.closed()).0 == .unprocessableContent)
            let (status, json) = try await HTTP.json(client, .post, "/dataset", .object(["samples_dimension": .string("3")]))
            #expect(status == .unprocessableContent)
            #expect(json["field"]?.stringValue == "organization_id")
            try await Self.expectNothingStored(harness)
        }
    }
}
