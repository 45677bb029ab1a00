import Chain
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerClient
import Logging
import NIOCore
import Primitives
import RPC
import Testing
import Verification

/// A ledger with no contracts: code is empty everywhere and every other request fails, so any
/// answer other than a validation error or a 404 would show the service touched the chain.
struct EmptyLedger: LedgerClient {
    struct Unexpected: Error {}
    func chainId() async throws -> UInt64 { throw Unexpected() }
    func blockNumber() async throws -> UInt64 { throw Unexpected() }
    func header(number: UInt64) async throws -> BlockHeader? { throw Unexpected() }
    func balance(of address: Address, at block: BlockSelector) async throws -> UInt256 { throw Unexpected() }
    func transactionCount(of address: Address, at block: BlockSelector) async throws -> UInt64 { throw Unexpected() }
    func code(of address: Address, at block: BlockSelector) async throws -> [UInt8] { [] }
    func storage(of address: Address, slot: Hash32, at block: BlockSelector) async throws -> Hash32 { throw Unexpected() }
    func call(_ request: CallRequest, at block: BlockSelector) async throws -> [UInt8] { throw Unexpected() }
    func estimateGas(_ request: CallRequest, at block: BlockSelector) async throws -> UInt64 { throw Unexpected() }
    func sendRawTransaction(_ raw: [UInt8]) async throws -> Hash32 { throw Unexpected() }
    func receipt(transactionHash: Hash32) async throws -> ReceiptDetails? { throw Unexpected() }
    func logs(matching filter: LogFilter, from: UInt64, to: UInt64) async throws -> [LocatedLog] { throw Unexpected() }
    func proof(of address: Address, slots: [Hash32], at block: BlockSelector) async throws -> AccountProof { throw Unexpected() }
}

/// Bad bodies get 422 naming the field, unknown addresses and types 404, all before any
/// transaction is made (the ledger here refuses everything but `code`).
@Suite struct VerificationRequestTests {
    static func application(directory: URL) throws -> some ApplicationProtocol {
        let keyring = try CompanyKeyring(dataDirectory: directory, passphrase: "p", cost: .light)
        let service = try VerificationService(client: EmptyLedger(), keyring: keyring)
        return Application(router: service.makeRouter(logger: Logger(label: "test")))
    }

    static func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-verif-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await application(directory: dir).test(.router, body)
    }

    /// Posts `body` and returns status and parsed JSON.
    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: String) async throws -> (HTTPResponse.Status, JSONValue?) {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: body)) { response in
            (response.status, JSONValue.parse(Array(buffer: response.body)))
        }
    }

    static let datasetCases: [(body: String, field: String)] = [
        (#"{"samples_dimension": "24", "size_bytes": 10, "hash": null}"#, "organization_id"),
        (#"{"organization_id": 7, "samples_dimension": "24"}"#, "organization_id"),
        (#"{"organization_id": "Acme", "size_bytes": 10}"#, "samples_dimension"),
        (#"{"organization_id": "Acme", "samples_dimension": "24 by -3"}"#, "samples_dimension"),
        (#"{"organization_id": "Acme", "samples_dimension": "24", "size_bytes": -1}"#, "size_bytes"),
        (#"{"organization_id": "Acme", "samples_dimension": "24", "size_bytes": 1.5}"#, "size_bytes"),
        (#"{"organization_id": "Acme", "samples_dimension": "24", "hash": "0x1234"}"#, "hash"),
        (#"{"organization_id": "Acme", "samples_dimension": "24", "statistics": {"features": []}}"#, "statistics.scale"),
        (#"{"organization_id": "Acme", "samples_dimension": "24", "statistics": {"scale": 1000, "features": [{"count": 1, "mean": 0, "variance": 0, "min": 0}]}}"#,
         "statistics.features[0].max"),
    ]

    @Test func badDatasetBodiesName422Field() async throws {
        try await Self.withApp { client in
            for (body, field) in Self.datasetCases {
                let (status, json) = try await Self.post(client, "/contract/dataset", body)
                #expect(status == .unprocessableContent, "\(body)")
                #expect(json?["field"]?.stringValue == field, "\(body) -> \(String(describing: json))")
            }
            let (status, json) = try await Self.post(client, "/contract/dataset", "not json")
            #expect(status == .unprocessableContent)
            #expect(json?["error"]?.stringValue?.contains("not JSON") == true)
        }
    }

    static let modelCases: [(uri: String, body: String, field: String)] = [
        ("/contract/model", #"{"data_params": {"dataset_id": "0x0000000000000000000000000000000000000001"}}"#, "model_params"),
        ("/contract/model", #"{"model_params": {"developer_id": "d", "organization_id": "Acme", "train_image": "img", "res_hash": null}}"#,
         "data_params"),
        ("/contract/model", #"{"model_params": {"organization_id": "Acme", "train_image": "img"}, "data_params": {"dataset_id": "0x0000000000000000000000000000000000000001"}}"#,
         "model_params.developer_id"),
        ("/contract/model", #"{"model_params": {"developer_id": "d", "organization_id": "Acme", "train_image": "img", "res_hash": "xyz"}, "data_params": {"dataset_id": "0x0000000000000000000000000000000000000001"}}"#,
         "model_params.res_hash"),
        ("/contract/model", #"{"model_params": {"developer_id": "d", "organization_id": "Acme", "train_image": "img"}, "data_params": {"dataset_id": "dataset-7"}}"#,
         "data_params.dataset_id"),
        ("/contract/model", #"{"model_params": {"developer_id": "d", "organization_id": "Acme", "train_image": "img", "relation": "fine-tuned-from"}, "data_params": {"dataset_id": "0x0000000000000000000000000000000000000001"}}"#,
         "model_params.relation"),
        ("/contract/model", #"{"model_params": {"developer_id": "d", "organization_id": "Acme", "train_image": "img", "seeds": [1, "x"]}, "data_params": {"dataset_id": "0x0000000000000000000000000000000000000001"}}"#,
         "model_params.seeds[1]"),
        // A well-formed body citing an address without a DatasetRecord: refused before any transaction.
        ("/contract/model", #"{"model_params": {"developer_id": "d", "organization_id": "Acme", "train_image": "img", "res_hash": null}, "data_params": {"dataset_id": "0x0000000000000000000000000000000000000001"}}"#,
         "data_params.dataset_id"),
        ("/contract/model_unverified", #"{"organization_id": "Acme", "hash": null}"#, "developer_id"),
        ("/contract/model_unverified", #"{"developer_id": "d", "organization_id": "", "hash": null}"#, "organization_id"),
    ]

    @Test func badModelBodiesName422Field() async throws {
        try await Self.withApp { client in
            for (uri, body, field) in Self.modelCases {
                let (status, json) = try await Self.post(client, uri, body)
                #expect(status == .unprocessableContent, "\(body)")
                #expect(json?["field"]?.stringValue == field, "\(body) -> \(String(describing: json))")
            }
        }
    }

    @Test func unknownAddressesAndTypesAre404() async throws {
        try await Self.withApp { client in
            let address = "0x00000000000000000000000000000000000000aa"
            for path in ["/contract/dataset/\(address)", "/contract/model/\(address)", "/contract/model_unverified/\(address)",
                         "/contract/weights/\(address)"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(JSONValue.parse(Array(buffer: response.body))?["error"]?.stringValue != nil)
                }
            }
            let (verifyStatus, _) = try await Self.post(client, "/contract/\(address)/verify?res_hash=0x\(String(repeating: "11", count: 32))", "")
            #expect(verifyStatus == .notFound)
            let (finalizeStatus, _) = try await Self.post(client, "/contract/\(address)/finalize", "")
            #expect(finalizeStatus == .notFound)
            // A malformed address or hash is a 422 naming it.
            let (badAddress, json) = try await Self.post(client, "/contract/0x12/verify?res_hash=0x00", "")
            #expect(badAddress == .unprocessableContent)
            #expect(json?["field"]?.stringValue == "address")
            let (missingHash, hashJSON) = try await Self.post(client, "/contract/\(address)/verify", "")
            #expect(missingHash == .unprocessableContent)
            #expect(hashJSON?["field"]?.stringValue == "res_hash")
        }
    }

    @Test func applicationServesOverHTTP() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-verif-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyring = try CompanyKeyring(dataDirectory: dir, passphrase: "p", cost: .light)
        let app = try VerificationService.makeApplication(client: EmptyLedger(), keyring: keyring, host: "127.0.0.1", port: 0,
                                                          logger: Logger(label: "test"))
        try await app.test(.live) { client in
            try await client.execute(uri: "/contract/model/0x00000000000000000000000000000000000000aa", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/json")
            }
            let (status, json) = try await Self.post(client, "/contract/dataset", #"{"organization_id": "Acme"}"#)
            #expect(status == .unprocessableContent)
            #expect(json?["field"]?.stringValue == "samples_dimension")
        }
    }
}
