import Foundation
import RPC
import Hummingbird
import HummingbirdTesting
import LedgerClient
import Logging
import NIOCore
import Primitives
import Testing
import Registry
import Verification

/// The verification routes in memory against an executing dev chain: POST then GET returns the
/// posted fields from chain state, verify, finalize once, and the contracts' lineage rules.
@Suite(.serialized) struct VerificationServiceTests {
    static let commitment = "0x" + String(repeating: "ab", count: 32)
    static let weights = "0x" + String(repeating: "5e", count: 32)

    /// Runs `body` with a client for the service over a fresh dev ledger and its keyring.
    static func withService(_ body: @Sendable (any TestClientProtocol, CompanyKeyring) async throws -> Void) async throws {
        try await DevLedger.with { ledger in
            let keyring = try ledger.keyring()
            let service = try VerificationService(client: ledger.client, keyring: keyring)
            let app = Application(router: service.makeRouter(logger: Logger(label: "test")))
            try await app.test(.router) { client in try await body(client, keyring) }
        }
    }

    static func request(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String,
                        _ body: JSONValue? = nil) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"],
                                 body: body.map { ByteBuffer(string: $0.serialized) }) { response in
            (response.status, JSONValue.parse(Array(buffer: response.body)) ?? .null)
        }
    }

    /// POSTs and returns the new contract address, requiring 200.
    static func create(_ client: any TestClientProtocol, _ uri: String, _ body: JSONValue) async throws -> String {
        let (status, json) = try await request(client, .post, uri, body)
        #expect(status == .ok, "\(uri): \(json.serialized)")
        let address = try #require(json["contract_address"]?.stringValue)
        #expect(address.count == 42 && address.hasPrefix("0x"))
        return address
    }

    /// Every field of `posted` appears in `got` with the same value (extra fields allowed).
    static func expectContains(_ got: JSONValue, _ posted: JSONValue, path: String = "") {
        guard case .object(let fields) = posted else {
            #expect(got == posted, "\(path)")
            return
        }
        for (key, value) in fields {
            guard let actual = got[key] else { Issue.record("missing \(path).\(key) in \(got.serialized)"); continue }
            expectContains(actual, value, path: "\(path).\(key)")
        }
    }

    static let dataset: JSONValue = .object([
        "organization_id": .string("Acme"), "samples_dimension": .string("28x28"), "size_bytes": .integer(1_048_576),
        "hash": .string(commitment), "dataset_id": .string("mnist-train"), "sample_count": .integer(60_000),
        "statistics": .object(["scale": .integer(1_000_000), "features": .array([
            .object(["count": .integer(60_000), "mean": .integer(130_000), "variance": .integer(9_400_000),
                     "min": .integer(-5), "max": .integer(255_000_000)]),
        ])]),
    ])

    /// The same dataset with statistics still to come: it stays open until finalized.
    static var pendingDataset: JSONValue {
        guard case .object(var fields) = dataset else { return dataset }
        fields["pending"] = .bool(true)
        return .object(fields)
    }

    static func model(dataset: String, resHash: JSONValue) -> JSONValue {
        .object([
            "model_params": .object([
                "developer_id": .string("dev-7"), "organization_id": .string("Acme"),
                "train_image": .string("registry.example/trainer@sha256:" + String(repeating: "0", count: 64)),
                "res_hash": resHash, "model_id": .string("forecaster-1"), "backend": .string("mledger/safetensors"),
                "hyper_parameters": .object(["epochs": .integer(3), "lr": .string("0.001")]),
                "seeds": .array([.integer(42)]), "input_shape": .array([.integer(24), .integer(1)]),
                "output_shape": .array([.integer(1)]), "parameter_count": .integer(5_057),
            ]),
            "data_params": .object(["dataset_id": .string(dataset)]),
        ])
    }

    @Test func datasetRoundTripsVerifiesAndFinalizesOnce() async throws {
        try await Self.withService { client, keyring in
            let address = try await Self.create(client, "/contract/dataset", Self.pendingDataset)
            let (status, got) = try await Self.request(client, .get, "/contract/dataset/\(address)")
            #expect(status == .ok)
            Self.expectContains(got, Self.dataset)
            #expect(got["finalized"] == .bool(false))
            // Deployed from the organization's own account, created on first use.
            #expect(got["owner"]?.stringValue == keyring.address(company: "Acme")?.description)
            // Another kind at that address is not found.
            #expect(try await Self.request(client, .get, "/contract/model/\(address)").0 == .notFound)
            #expect(try await Self.request(client, .get, "/contract/model_unverified/\(address)").0 == .notFound)

            let (_, yes) = try await Self.request(client, .post, "/contract/\(address)/verify?res_hash=\(Self.commitment)")
            #expect(yes["verified"] == .bool(true))
            #expect(yes["stored_hash"]?.stringValue == Self.commitment)
            let (_, no) = try await Self.request(client, .post, "/contract/\(address)/verify?res_hash=\(Self.weights)")
            #expect(no["verified"] == .bool(false))
            #expect(no["stored_hash"]?.stringValue == Self.commitment)

            let (first, finalized) = try await Self.request(client, .post, "/contract/\(address)/finalize")
            #expect(first == .ok, "\(finalized.serialized)")
            #expect(finalized["finalized"] == .bool(true))
            #expect(try await Self.request(client, .get, "/contract/dataset/\(address)").1["finalized"] == .bool(true))
            let (second, refused) = try await Self.request(client, .post, "/contract/\(address)/finalize")
            #expect(second == .conflict)
            #expect(refused["reason"]?.stringValue == "finalized")
        }
    }

    @Test func nullSizeAndHashReadBackAsNull() async throws {
        try await Self.withService { client, _ in
            let posted: JSONValue = .object(["organization_id": .string("Globex"), "samples_dimension": .string("(3, 32, 32)"),
                                                "size_bytes": .null, "hash": .null])
            let address = try await Self.create(client, "/contract/dataset", posted)
            let (_, got) = try await Self.request(client, .get, "/contract/dataset/\(address)")
            #expect(got["organization_id"]?.stringValue == "Globex")
            #expect(got["samples_dimension"]?.stringValue == "3x32x32")
            #expect(got["size_bytes"] == .null)
            #expect(got["hash"] == .null)
            // No commitment: the contract refuses to finalize, and says why.
            let (status, refused) = try await Self.request(client, .post, "/contract/\(address)/finalize")
            #expect(status == .conflict)
            #expect(refused["reason"]?.stringValue == "no commitment")
        }
    }

    /// Issue 10, fix (b): content given in full at registration is final at once, so the published
    /// client (which never sends a dataset finalize) can cite it; a second finalize is refused.
    @Test func datasetWithItsHashIsFinalAndCitableAtOnce() async throws {
        try await Self.withService { client, _ in
            let dataset = try await Self.create(client, "/contract/dataset", Self.dataset)
            #expect(try await Self.request(client, .get, "/contract/dataset/\(dataset)").1["finalized"] == .bool(true))
            let (status, json) = try await Self.request(client, .post, "/contract/model", Self.model(dataset: dataset, resHash: .null))
            #expect(status == .ok, "\(json.serialized)")
            let (again, refused) = try await Self.request(client, .post, "/contract/\(dataset)/finalize")
            #expect(again == .conflict)
            #expect(refused["reason"]?.stringValue == "finalized")
            let (bad, badJSON) = try await Self.request(client, .post, "/contract/dataset", .object([
                "organization_id": .string("Acme"), "samples_dimension": .string("3"), "pending": .string("yes")]))
            #expect(bad == .unprocessableContent)
            #expect(badJSON["field"]?.stringValue == "pending")
        }
    }

    /// Issue 10, fix (a): with the registry keeping posted bodies, every field reads back exactly
    /// as written, as long as it denotes what the chain holds.
    @Test func datasetFieldsReadBackAsWritten() async throws {
        try await DevLedger.with { ledger in
            let registry = try Registry(dataDirectory: ledger.directory)
            let service = try VerificationService(client: ledger.client, keyring: try ledger.keyring(), registry: registry)
            let app = Application(router: service.makeRouter(logger: Logger(label: "test")))
            try await app.test(.router) { client in
                let posted: JSONValue = .object([
                    "organization_id": .string("Acme"), "samples_dimension": .string("(500,500)"),
                    "size_bytes": .string("4096"), "hash": .string("0x" + String(repeating: "AB", count: 32)),
                ])
                let address = try await Self.create(client, "/contract/dataset", posted)
                let (status, got) = try await Self.request(client, .get, "/contract/dataset/\(address)")
                #expect(status == .ok)
                for key in ["organization_id", "samples_dimension", "size_bytes", "hash"] {
                    #expect(got[key] == posted[key], "\(key): \(got.serialized)")
                }
                // Without the registry the chain's own rendering is all there is.
                let bare = try VerificationService(client: ledger.client, keyring: try ledger.keyring())
                let bareApp = Application(router: bare.makeRouter(logger: Logger(label: "test")))
                try await bareApp.test(.router) { bareClient in
                    let (_, chainOnly) = try await Self.request(bareClient, .get, "/contract/dataset/\(address)")
                    #expect(chainOnly["samples_dimension"]?.stringValue == "500x500")
                }
            }
        }
    }

    @Test func modelCitingAnUnfinalizedDatasetIsRefused() async throws {
        try await Self.withService { client, _ in
            let dataset = try await Self.create(client, "/contract/dataset", Self.pendingDataset)
            let (status, json) = try await Self.request(client, .post, "/contract/model", Self.model(dataset: dataset, resHash: .null))
            #expect(status == .conflict)
            #expect(json["reason"]?.stringValue == "dataset not citable")
        }
    }

    @Test func modelRoundTripsAndFinalizesWithItsWeightsHash() async throws {
        try await Self.withService { client, _ in
            let dataset = try await Self.create(client, "/contract/dataset", Self.dataset)
            let posted = Self.model(dataset: dataset, resHash: .null)
            let address = try await Self.create(client, "/contract/model", posted)
            let (status, got) = try await Self.request(client, .get, "/contract/model/\(address)")
            #expect(status == .ok)
            Self.expectContains(got, posted)
            #expect(got["finalized"] == .bool(false))
            #expect(try await Self.request(client, .get, "/contract/model_unverified/\(address)").0 == .notFound)
            #expect(try await Self.request(client, .get, "/contract/dataset/\(address)").0 == .notFound)

            let (_, before) = try await Self.request(client, .post, "/contract/\(address)/verify?res_hash=\(Self.weights)")
            #expect(before["verified"] == .bool(false))
            // A model's finalize needs the weights hash.
            let (missing, missingJSON) = try await Self.request(client, .post, "/contract/\(address)/finalize")
            #expect(missing == .unprocessableContent)
            #expect(missingJSON["field"]?.stringValue == "res_hash")
            #expect(try await Self.request(client, .post, "/contract/\(address)/finalize?res_hash=\(Self.weights)").0 == .ok)
            let (_, after) = try await Self.request(client, .post, "/contract/\(address)/verify?res_hash=\(Self.weights)")
            #expect(after["verified"] == .bool(true))
            #expect(after["stored_hash"]?.stringValue == Self.weights)
            let (_, finalGet) = try await Self.request(client, .get, "/contract/model/\(address)")
            #expect(finalGet["model_params"]?["res_hash"]?.stringValue == Self.weights)
            let (again, refused) = try await Self.request(client, .post, "/contract/\(address)/finalize",
                                                          .object(["res_hash": .string(Self.weights)]))
            #expect(again == .conflict)
            #expect(refused["reason"]?.stringValue == "finalized")
            // Issue 10, fix (c): a final model's finalize is a conflict even without res_hash.
            let (bare, bareJSON) = try await Self.request(client, .post, "/contract/\(address)/finalize")
            #expect(bare == .conflict, "\(bareJSON.serialized)")
            #expect(bareJSON["reason"]?.stringValue == "finalized")

            // Posted with its result hash, a model is finalized at once and reads back the same.
            let done = Self.model(dataset: dataset, resHash: .string(Self.weights))
            let doneAddress = try await Self.create(client, "/contract/model", done)
            let (_, doneGet) = try await Self.request(client, .get, "/contract/model/\(doneAddress)")
            Self.expectContains(doneGet, done)
            #expect(doneGet["finalized"] == .bool(true))
        }
    }

    @Test func unverifiedModelRoundTrips() async throws {
        try await Self.withService { client, _ in
            let posted: JSONValue = .object(["developer_id": .string("dev-9"), "organization_id": .string("Initech"),
                                                "hash": .string(Self.weights)])
            let address = try await Self.create(client, "/contract/model_unverified", posted)
            let (status, got) = try await Self.request(client, .get, "/contract/model_unverified/\(address)")
            #expect(status == .ok)
            Self.expectContains(got, posted)
            #expect(got["finalized"] == .bool(true))
            #expect(try await Self.request(client, .get, "/contract/model/\(address)").0 == .notFound)
            let (_, verdict) = try await Self.request(client, .post, "/contract/\(address)/verify?res_hash=\(Self.commitment)")
            #expect(verdict["verified"] == .bool(false))
            #expect(verdict["stored_hash"]?.stringValue == Self.weights)
        }
    }
}
