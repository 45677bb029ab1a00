import LedgerCrypto
import Foundation
import Hummingbird
import HummingbirdTesting
import ModelSharing
import NIOCore
import OnlineLearning
import Primitives
import Testing

@Suite(.serialized) struct OnlineRoutesTests {
    static let declaration = #"{"name": "house-1", "organization_id": "acme", "developer_id": "dev-1", "batch": {"hours": 12}, "#
        + #""transformer": {"lateness_seconds": 0}, "snapshot": {"min_relative_improvement": 0.0}}"#

    func withClient(_ body: @Sendable (OnlineHarness, any TestClientProtocol) async throws -> Void) async throws {
        try await OnlineHarness.with { h in
            let app = Application(router: h.sharing.makeRouter(extraRoutes: [OnlineLearningRoutes(hub: h.hub)]))
            try await app.test(.router) { client in try await body(h, client) }
        }
    }

    @Test func declarationListingAndRemoval() async throws {
        try await withClient { h, client in
            var (status, body) = try await HTTP.json(client, .post, "/ol", Self.declaration)
            #expect(status == .created)
            #expect(body["spec"]?["name"]?.stringValue == "house-1" && body["ready"]?.boolValue == false)
            (status, body) = try await HTTP.json(client, .post, "/ol", Self.declaration)
            #expect(status == .conflict && body["field"]?.stringValue == "name")
            (status, body) = try await HTTP.json(client, .post, "/ol", #"{"name": "x y", "organization_id": "acme"}"#)
            #expect(status == .unprocessableContent && body["field"]?.stringValue == "name")
            (status, body) = try await HTTP.json(client, .post, "/ol", #"{"name": "other", "organization_id": "acme", "model": "00000000-0000-0000-0000-000000000001"}"#)
            #expect(status == .notFound, "\(body)")
            #expect(h.hub.service("other") == nil)
            (status, body) = try await HTTP.json(client, .get, "/ol")
            #expect(body["services"]?.arrayValue?.count == 1)
            (status, body) = try await HTTP.json(client, .get, "/ol?organization_id=globex")
            #expect(body["services"]?.arrayValue?.count == 0, "another organization sees nothing")
            (status, _) = try await HTTP.json(client, .get, "/ol/house-1?organization_id=globex")
            #expect(status == .notFound)
            (status, body) = try await HTTP.json(client, .get, "/ol/house-1")
            #expect(status == .ok && body["spec"]?["batch"]?["hours"]?.intValue == 12)
            (status, _) = try await HTTP.json(client, .delete, "/ol/house-1")
            #expect(status == .ok)
            (status, _) = try await HTTP.json(client, .get, "/ol/house-1")
            #expect(status == .notFound)
        }
    }

    @Test func malformedReadingsAre422AndCountedByReason() async throws {
        try await withClient { _, client in
            _ = try await HTTP.json(client, .post, "/ol", Self.declaration)
            var (status, body) = try await HTTP.json(client, .post, "/ol/house-1/data", "{broken")
            #expect(status == .unprocessableContent && body["dropped"]?["not_json"]?.intValue == 1, "\(body)")
            (status, body) = try await HTTP.json(client, .post, "/ol/house-1/data", #"[{"timestamp": 5, "voltage": [1, 2], "current": [1], "power_factor": [1]}, "#
                + readingJSON(6, amps: [1, 1, 1]) + "]")
            #expect(status == .ok && body["accepted"]?.intValue == 1 && body["dropped"]?["bad_phases"]?.intValue == 1, "\(body)")
            (status, body) = try await HTTP.json(client, .post, "/ol/house-1/data", readingJSON(6, amps: [1, 1, 1]))
            #expect(status == .ok && body["dropped"]?["duplicate"]?.intValue == 1)
            (status, _) = try await HTTP.json(client, .post, "/ol/nobody/data", readingJSON(6, amps: [1, 1, 1]))
            #expect(status == .notFound)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"mledger_ol_dropped_total{service="house-1",reason="not_json"} 1"#) ||
                    metrics.contains(#"mledger_ol_dropped_total{reason="not_json",service="house-1"} 1"#), "\(metrics.prefix(3000))")
            #expect(metrics.contains("mledger_ol_readings_total"))
        }
    }

    @Test func kserveV1AndV2AnswerWithTheRightShapesAndSignedReceipts() async throws {
        try await withClient { h, client in
            var (status, body) = try await HTTP.json(client, .post, "/ol", Self.declaration)
            (status, body) = try await HTTP.json(client, .get, "/v1/models/house-1")
            #expect(status == .ok && body["ready"]?.boolValue == false)
            (status, body) = try await HTTP.json(client, .get, "/v2/models/house-1/ready")
            #expect(status == .ok && body["ready"]?.boolValue == false)
            (status, _) = try await HTTP.json(client, .post, "/v1/models/house-1:predict", #"{"instances": []}"#)
            #expect(status == .conflict, "no anchored snapshot yet")
            try await declareTrained(h, client)
            let service = try #require(h.hub.service("house-1"))
            let serving = try #require(service.serving.model)

            (status, body) = try await HTTP.json(client, .get, "/v1/models/house-1")
            #expect(status == .ok && body == .object(["name": "house-1", "ready": true]))
            let window = (0..<36).map { 1000 + 500 * sin(Double($0) / 24 * 2 * Double.pi) }
            let instances = "[" + [window, window.reversed()].map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
            (status, body) = try await HTTP.json(client, .post, "/v1/models/house-1:predict", #"{"instances": \#(instances)}"#)
            #expect(status == .ok, "\(body)")
            let predictions = try #require(body["predictions"]?.arrayValue)
            #expect(predictions.count == 2 && predictions.allSatisfy { $0.arrayValue?.count == 24 })
            let expected = await serving.forecast([window])[0]
            #expect(predictions[0].arrayValue?.compactMap(\.doubleValue) == expected.values.map(Double.init))
            // Concurrent requests are batched onto the replicas; every answer is still bit for
            // bit the one its window gets alone.
            let shifted = (0..<32).map { k in window.map { $0 * (1 + Double(k) / 64) } }
            var alone: [[Float]] = []
            for w in shifted { alone.append(await serving.forecast([w])[0].values) }
            let together = await withTaskGroup(of: (Int, [Float]).self) { group in
                for (k, w) in shifted.enumerated() { group.addTask { (k, await serving.forecast([w])[0].values) } }
                var out = [[Float]](repeating: [], count: shifted.count)
                for await (k, values) in group { out[k] = values }
                return out
            }
            #expect(together == alone)
            let lowerRow = body["intervals"]?["lower"]?.arrayValue?.first?.arrayValue ?? []
            let lower = lowerRow.compactMap(\.doubleValue)
            let upperRow = body["intervals"]?["upper"]?.arrayValue?.first?.arrayValue ?? []
            let upper = upperRow.compactMap(\.doubleValue)
            #expect(lower.count == 24 && upper.count == 24)
            #expect(zip(lower, upper).allSatisfy { $0 <= $1 })

            (status, body) = try await HTTP.json(client, .post, "/v1/models/house-1:predict", #"{"instances": []}"#)
            let latest = try #require(await service.latestWindow())
            let latestForecast = await serving.forecast([latest])[0]
            #expect(status == .ok && body["predictions"]?.arrayValue?.first?.arrayValue?.compactMap(\.doubleValue) == latestForecast.values.map(Double.init))

            (status, body) = try await HTTP.json(client, .post, "/v1/models/house-1:predict", #"{"instances": [[1, 2, 3]]}"#)
            #expect(status == .unprocessableContent && body["field"]?.stringValue == "instances[0]")
            (status, body) = try await HTTP.json(client, .post, "/v1/models/house-1:explain", #"{"instances": []}"#)
            #expect(status == .notFound, "the explainer is off in the declaration")

            // V2: health, readiness, metadata, infer.
            (status, body) = try await HTTP.json(client, .get, "/v2/health/live")
            #expect(status == .ok && body["live"]?.boolValue == true)
            (status, body) = try await HTTP.json(client, .get, "/v2/health/ready")
            #expect(status == .ok && body["ready"]?.boolValue == true)
            (status, body) = try await HTTP.json(client, .get, "/v2/models/house-1/ready")
            #expect(status == .ok && body["ready"]?.boolValue == true)
            (status, body) = try await HTTP.json(client, .get, "/v2/models/house-1")
            #expect(body["inputs"]?.arrayValue?.first?["shape"] == .array([-1, 36]))
            let flat = (window + window.reversed()).map { String($0) }.joined(separator: ",")
            let infer = #"{"id": "r-1", "inputs": [{"name": "input", "shape": [2, 36], "datatype": "FP32", "data": [\#(flat)]}]}"#
            (status, body) = try await HTTP.json(client, .post, "/v2/models/house-1/infer", infer, headers: [HTTPFields.Element.Name("X-MLedger-Receipt")!: "1"])
            #expect(status == .ok, "\(body)")
            #expect(body["id"]?.stringValue == "r-1" && body["model_name"]?.stringValue == "house-1")
            let outputs = try #require(body["outputs"]?.arrayValue)
            #expect(outputs.map { $0["name"]?.stringValue } == ["forecast", "lower_90", "upper_90"])
            #expect(outputs.allSatisfy { $0["shape"] == .array([2, 24]) && $0["data"]?.arrayValue?.count == 48 })
            #expect(outputs[0]["data"]?.arrayValue?.prefix(24).compactMap(\.doubleValue) == expected.values.map(Double.init))
            (status, body) = try await HTTP.json(client, .post, "/v2/models/house-1/infer",
                                                 #"{"inputs": [{"name": "input", "shape": [2, 36], "datatype": "FP32", "data": [1, 2]}]}"#)
            #expect(status == .unprocessableContent && body["field"]?.stringValue == "inputs[0].data")

            // The receipt: signed by acme's account, naming the serving snapshot.
            (status, body) = try await HTTP.json(client, .post, "/v2/models/house-1/infer", infer, headers: [HTTPFields.Element.Name("X-MLedger-Receipt")!: "1"])
            let receipt = try #require(body["receipt"])
            let message = try #require(receipt["message"]?.stringValue)
            let signature = try Hex.decode(try #require(receipt["signature"]?.stringValue))
            #expect(signature.count == 65 && (signature[64] == 27 || signature[64] == 28))
            var raw = signature
            raw[64] -= 27
            let signer = try Secp256k1.recoverAddress(hash: ModelSharingService.personalMessageHash(Array(message.utf8)),
                                                      signature: RecoverableSignature(bytes65: raw))
            #expect(signer == (try h.sharing.companyAddress(company: "acme")))
            #expect(receipt["signer"]?.stringValue == signer.description)
            let signed = try #require(JSONValue.parse(Array(message.utf8)))
            #expect(signed["model_record"]?.stringValue == serving.snapshot.contractAddress)
            #expect(signed["weights_hash"]?.stringValue == serving.snapshot.weightsHash)
            guard case .object(var answer) = body else { Issue.record("not an object"); return }
            answer["receipt"] = nil
            #expect(signed["output_keccak"]?.stringValue == Keccak256.hash(Array(JSONValue.object(answer).canonicalString.utf8)).description)
            #expect(signed["block_number"]?.intValue ?? 0 > 0)
        }
    }

    func declareTrained(_ h: OnlineHarness, _ client: any TestClientProtocol) async throws {
        let service = try #require(h.hub.service("house-1"))
        for message in hourlyMessages(firstHour: 0, hours: 200) {
            let (status, _) = try await HTTP.json(client, .post, "/ol/house-1/data", String(decoding: message, as: UTF8.self))
            #expect(status == .ok)
            await service.waitForTraining()
            if service.serving.model != nil { return }
        }
        Issue.record("no snapshot after 200 hours")
    }
}
