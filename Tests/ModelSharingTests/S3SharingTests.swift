import LedgerCrypto
import Foundation
import AsyncHTTPClient
import Chain
import HummingbirdTesting
import NIOCore
import ModelSharing
import ObjectStore
import Primitives
import Registry
import Testing

/// The REST flows on the S3 store (a real SeaweedFS that tools/with-seaweedfs starts): what is
/// uploaded is what comes back, a multipart (> 8 MiB) result included; bytes changed behind the
/// service's back are refused; a failed registration leaves no object in the bucket.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MLEDGER_SKIP_S3"] != "1"))
struct S3SharingTests {
    static func location(_ company: String, _ artifact: ArtifactInfo?) throws -> ObjectLocation {
        let info = try #require(artifact, "the row has no artifact")
        return try ObjectLocation(company: company, key: info.objectKey)
    }

    @Test func datasetAndLargeResultRoundTripThroughS3() async throws {
        try await SharingHarness.with(store: .s3) { harness, client in
            let csv = testCSV(rows: 200)
            var upload = MultipartBody()
            upload.field("metadata", #"{"organization_id": "acme", "developer_id": "dev1", "samples_dimension": "(2)"}"#)
            upload.file("file", filename: "readings.csv", csv)
            let (status, created) = try await HTTP.multipart(client, .post, "/dataset", upload.closed())
            #expect(status == .ok, "\(created.serialized)")
            let dataset = try #require(created["dataset_id"]?.stringValue)
            let (got, _, body) = try await HTTP.bytes(client, "/dataset/\(dataset)")
            #expect(got == .ok && body == csv)
            let row = try #require(try await harness.registry.dataset(id: UUID(uuidString: dataset)!))
            #expect(try await harness.store.size(try Self.location(row.company, row.artifact)) == Int64(csv.count))

            let (_, registered) = try await HTTP.json(client, .post, "/model", .object([
                "model_params": .object(["developer_id": .string("dev1"), "organization_id": .string("acme"), "train_image": .string("img")]),
                "data_params": .object(["dataset_id": .string(dataset)]),
            ]))
            let model = try #require(registered["model_id"]?.stringValue)
            let weights = testBytes(9 << 20 | 12_345, seed: 5)   // above the 8 MiB part size: a multipart upload
            var result = MultipartBody()
            result.file("model", filename: "weights.safetensors", weights)
            let (put, answered) = try await HTTP.multipart(client, .put, "/model/\(model)", result.closed())
            #expect(put == .ok, "\(answered.serialized)")
            #expect(answered["model_params"]?["res_hash"]?.stringValue == Keccak256.hash(weights).description)
            let (code, headers, downloaded) = try await HTTP.bytes(client, "/model/\(model)")
            #expect(code == .ok && downloaded == weights)
            #expect(headers[.eTag] == "\"\(Keccak256.hash(weights))\"")
            let (partial, _, slice) = try await HTTP.bytes(client, "/model/\(model)", headers: [.range: "bytes=8388600-8388700"])
            #expect(partial == .partialContent && slice == Array(weights[8_388_600...8_388_700]))
        }
    }

    @Test func bytesChangedInTheBucketAreRefused() async throws {
        try await SharingHarness.with(store: .s3) { harness, client in
            let id = try await RoundTripTests.postCSV(client)
            let row = try #require(try await harness.registry.dataset(id: UUID(uuidString: id)!))
            let location = try Self.location(row.company, row.artifact)
            // Same size, one byte different, written straight to the bucket.
            var tampered = testCSV(rows: 50)
            tampered[17] ^= 0x01
            let upload = try await harness.store.beginUpload(location)
            try await upload.write(tampered[...])
            _ = try await upload.commit()
            let (status, _, body) = try await HTTP.bytes(client, "/dataset/\(id)")
            #expect(status == .conflict)
            #expect(String(decoding: body, as: UTF8.self).contains("integrity"))
        }
    }

    @Test(arguments: ["afterStore", "afterAnchor"])
    func failedRegistrationLeavesNoObject(step: String) async throws {
        var faults = SharingFaults()
        if step == "afterStore" { faults.afterStore = { throw S3InjectedFailure() } } else { faults.afterAnchor = { throw S3InjectedFailure() } }
        // A company of its own: the S3 server (and so the buckets) outlive each test's node.
        let company = "fail-" + UUID().uuidString.prefix(8).lowercased()
        try await SharingHarness.with(faults: faults, store: .s3) { harness, client in
            var upload = MultipartBody()
            upload.field("metadata", #"{"organization_id": "\#(company)", "samples_dimension": "(2)"}"#)
            upload.file("file", filename: "readings.csv", testCSV(rows: 10))
            let (status, _) = try await HTTP.multipart(client, .post, "/dataset", upload.closed())
            #expect(status == .internalServerError)
            #expect(try await harness.registry.pendingObjects().isEmpty)
            #expect(try await harness.registry.datasets(RegistryFilter(company: company)).isEmpty)
            #expect(try await Self.bucketKeys(company).isEmpty, "no object is left in the company's bucket")
            #expect(try await Self.openUploads(company).isEmpty, "no multipart upload is left open")
        }
    }
}

struct S3InjectedFailure: Error {}

extension S3SharingTests {
    @Test func perCompanyKeysAreSealedUnderTheNodePassphraseAndPlainFilesMigrate() async throws {
        guard case .s3(let settings) = try ObjectStoreConfiguration.fromEnvironment(), let filer = settings.seaweedFSFiler else {
            throw S3NotConfigured()
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-sealed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("s3-credentials.json").path
        let company = "sealed-\(UUID().uuidString.prefix(6).lowercased())"
        // An older node's plain file.
        let plain = try NodeS3Credentials(file: file, provisioner: SeaweedFSFilerProvisioner(filerURL: filer))
        let made = try #require(try await plain.credentials(for: company, create: true))
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self).contains(made.secretKey))

        // Opened with the node passphrase: sealed in place, same keys, the secret gone from the file.
        let box = SecretBox(passphrase: "node passphrase", cost: .light)
        let sealed = try NodeS3Credentials(file: file, provisioner: NoProvisioning(), sealer: box)
        #expect(try await sealed.credentials(for: company, create: false) == made)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(SecretBox.isSealed(onDisk))
        #expect(!String(decoding: onDisk, as: UTF8.self).contains(made.secretKey))
        #expect(!String(decoding: onDisk, as: UTF8.self).contains(made.accessKey))

        // The store the node makes reads them back, and the S3 server still takes them.
        let store = try ObjectStoreConfiguration.s3(settings).makeStore(dataDirectory: directory.path, secrets: box)
        let location = try ObjectLocation(company: company, key: "models/sealed/weights.bin")
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let upload = try await store.beginUpload(location)
        try await upload.write(payload[...])
        #expect(try await upload.commit() == Int64(payload.count))
        var fetched = [UInt8]()
        let reader = try await store.read(location)
        while let piece = try await reader.next(maxBytes: 1 << 16) { fetched += piece }
        #expect(fetched == payload)
        try await store.delete(location)

        // Another passphrase cannot open the file, and the refusal carries no key.
        do {
            _ = try NodeS3Credentials(file: file, provisioner: NoProvisioning(), sealer: SecretBox(passphrase: "wrong", cost: .light))
            Issue.record("a wrong passphrase opened the sealed keys")
        } catch {
            let text = "\(error)"
            #expect(text.contains("node passphrase") && !text.contains(made.secretKey), "\(text)")
        }
    }

    /// Multipart uploads still open in a company's bucket (ListMultipartUploads, admin identity).
    /// Not `sweepIncomplete()`: that would abort other suites' uploads on the shared server.
    static func openUploads(_ company: String) async throws -> [String] {
        try await listing(company, query: [("uploads", "")], element: "UploadId")
    }

    /// The keys in a company's bucket, listed with the admin identity (ListObjectsV2).
    static func bucketKeys(_ company: String) async throws -> [String] {
        try await listing(company, query: [("list-type", "2")], element: "Key")
    }

    static func listing(_ company: String, query: [(String, String)], element: String) async throws -> [String] {
        guard case .s3(let settings) = try ObjectStoreConfiguration.fromEnvironment() else { throw S3NotConfigured() }
        let client = S3Client(endpoint: settings.endpoint, http: .shared)
        let response = try await client.send(.GET, path: "/" + (try S3ObjectStore.bucket(company)), query: query,
                                             credentials: settings.admin, deadline: .now() + .seconds(30), operation: "List")
        let xml = String(buffer: try await response.body.collect(upTo: 4 << 20))
        if response.status.code == 404 { return [] }   // never created: nothing in it
        #expect(response.status.code == 200, "\(xml)")
        return xml.components(separatedBy: "<\(element)>").dropFirst().compactMap { $0.components(separatedBy: "</\(element)>").first }
    }
}
