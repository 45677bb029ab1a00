import Primitives
import Foundation
import HummingbirdTesting
import ModelSharing
import NIOCore
import RPC
import Testing

/// `/openapi.json`, `/docs` and `/metrics`: the document parses and names every route the
/// router serves, the page is rendered from it, and the counters move with real requests.
@Suite(.serialized) struct APIDocsAndMetricsTests {
    /// The value of one sample line of the exposition (`name{labels} value`), nil when absent.
    static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            guard labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last else { continue }
            return Double(value)
        }
        return nil
    }

    static func scrape(_ client: any TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            return String(buffer: response.body)
        }
    }

    @Test func documentParsesAndCoversEveryRoute() async throws {
        let document = try #require(OpenAPIDocument.parsed, "the OpenAPI text is not JSON")
        #expect(document["openapi"]?.stringValue == "3.1.0")
        guard case .object(let paths)? = document["paths"] else { Issue.record("no paths"); return }
        // Every route of the router, in OpenAPI's {param} spelling (the catch-all
        // /contract/{address}/{record} 404 route excepted: it exists only to name the known kinds).
        let expected: [(String, String)] = [
            ("/dataset", "post"), ("/dataset/{id}", "get"), ("/dataset/{id}/metadata", "get"), ("/datasets", "get"),
            ("/model", "post"), ("/model/unverified", "post"), ("/model/{id}", "put"), ("/model/{id}", "get"),
            ("/model/{id}/metadata", "get"), ("/metadata/{id}", "get"), ("/models", "get"),
            ("/contract/dataset", "post"), ("/contract/model", "post"), ("/contract/model_unverified", "post"),
            ("/contract/dataset/{address}", "get"), ("/contract/model/{address}", "get"),
            ("/contract/model_unverified/{address}", "get"), ("/contract/{address}/verify", "post"),
            ("/contract/{address}/finalize", "post"), ("/openapi.json", "get"), ("/docs", "get"), ("/metrics", "get"),
            // Served by the training service (Sources/Training), mounted through `extraRoutes` under `mledger run`.
            ("/train/{id}", "post"), ("/train/{id}", "get"), ("/train/{id}", "delete"), ("/train/{id}/events", "get"), ("/train", "get"),
        ] + [
            // Online learning (Sources/OnlineLearning), mounted beside model sharing by `mledger run`.
            ("/ol", "post"), ("/ol", "get"), ("/ol/{name}", "get"), ("/ol/{name}", "delete"), ("/ol/{name}/data", "post"),
            ("/v1/models/{name}", "get"), ("/v1/models/{name}:predict", "post"), ("/v1/models/{name}:explain", "post"),
            ("/v1/models/{name}/diagnostics", "get"), ("/v2/health/live", "get"), ("/v2/health/ready", "get"),
            ("/v2/models/{name}", "get"), ("/v2/models/{name}/ready", "get"), ("/v2/models/{name}/infer", "post"),
        ]
        for (path, method) in expected {
            #expect(paths[path]?[method] != nil, "\(method.uppercased()) \(path) is not in the document")
        }
        #expect(paths.count == Set(expected.map(\.0)).count, "the document lists a path the router does not serve")
        // Every local $ref resolves.
        func refs(_ value: JSONValue) -> [String] {
            switch value {
            case .object(let fields): return (fields["$ref"]?.stringValue.map { [$0] } ?? []) + fields.values.flatMap(refs)
            case .array(let items): return items.flatMap(refs)
            default: return []
            }
        }
        for reference in Set(refs(document)) {
            #expect(DocsPage.resolve(.object(["$ref": .string(reference)]), document: document) != nil, "dangling \(reference)")
        }
    }

    @Test func servedDocumentAndPage() async throws {
        try await SharingHarness.with { _, client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == OpenAPIDocument.text)
            }
            try await client.execute(uri: "/docs", method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.hasPrefix("<!doctype html>"))
                #expect(page.contains("/model/{id}/metadata") && page.contains("/contract/{address}/finalize"))
                #expect(!page.contains("<script"), "the page must work without scripts or a CDN")
            }
        }
    }

    @Test func countersMoveWithRequests() async throws {
        try await SharingHarness.with { harness, client in
            let before = try await Self.scrape(client)
            #expect(Self.sample(before, "mledger_api_requests_total", [#"route="/dataset""#]) == nil)

            let id = try await RoundTripTests.postCSV(client)
            let (_, metadata) = try await HTTP.json(client, .get, "/dataset/\(id)/metadata")
            // `created` keeps ISO8601DateFormatter's spelling (the handlers format it with a format style now).
            let created = try #require(metadata["created"]?.stringValue)
            #expect(ISO8601DateFormatter().date(from: created).map { ISO8601DateFormatter().string(from: $0) } == created)
            _ = try await HTTP.json(client, .get, "/dataset/\(UUID().uuidString.lowercased())/metadata")
            _ = try await HTTP.json(client, .get, "/no/such/route/\(UUID().uuidString)")
            let (status, _, body) = try await HTTP.bytes(client, "/dataset/\(id)")
            #expect(status == .ok)

            let text = try await Self.scrape(client)
            #expect(Self.sample(text, "mledger_api_requests_total", [#"method="POST""#, #"route="/dataset""#, #"status="200""#]) == 1)
            #expect(Self.sample(text, "mledger_api_requests_total", [#"route="/dataset/{id}/metadata""#, #"status="200""#]) == 1)
            #expect(Self.sample(text, "mledger_api_requests_total", [#"route="/dataset/{id}/metadata""#, #"status="404""#]) == 1)
            #expect(Self.sample(text, "mledger_api_requests_total", [#"route="unmatched""#, #"status="404""#]) == 1)
            #expect(!text.contains(id), "a record id leaked into a label")
            // The upload's body bytes in, the download's bytes out (the whole file, written after the handler returned).
            let uploaded = try #require(Self.sample(text, "mledger_api_request_bytes_total", [#"route="/dataset""#]))
            #expect(uploaded > Double(testCSV(rows: 50).count))
            #expect(Self.sample(text, "mledger_api_response_bytes_total", [#"route="/dataset/{id}""#]) == Double(body.count))
            #expect(Self.sample(text, "mledger_api_registration_duration_seconds_count", [#"route="/dataset""#]) == 1)
            #expect(Self.sample(text, "mledger_api_integrity_failures_total", [#"kind="dataset""#]) == 0)

            // A tampered object is refused and counted once.
            try IntegrityTests.flipByte(harness, at: 20)
            let (refused, _, _) = try await HTTP.bytes(client, "/dataset/\(id)")
            #expect(refused == .conflict)
            let after = try await Self.scrape(client)
            #expect(Self.sample(after, "mledger_api_integrity_failures_total", [#"kind="dataset""#]) == 1)
            #expect(Self.sample(after, "mledger_api_requests_total", [#"route="/dataset/{id}""#, #"status="409""#]) == 1)
        }
    }
}
