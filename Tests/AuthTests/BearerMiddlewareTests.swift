import Auth
import Foundation
import Hummingbird
import HummingbirdTesting
import ModelSharing
import NIOCore
import Testing

/// The REST middleware on a router of its own: the identity comes from the token only, a body
/// or query naming another organization is a 403, auditors only read, and refusals are audited
/// without the token.
@Suite struct BearerMiddlewareTests {
    @Test func identityComesFromTheTokenOnly() async throws {
        let issuer = try TestIssuer.make(issuer: "https://issuer.test")
        let verifier = TokenVerifier(policy: TokenPolicy(issuer: "https://issuer.test", audience: "mledger"),
                                     keys: FixedKeySource(try await issuer.verificationKeys()))
        let auditPath = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: auditPath) }
        let audit = try AuditLog(logger: .init(label: "audit-test"), filePath: auditPath)

        let router = Router(context: SharingRequestContext.self)
        router.middlewares.add(BearerIdentityMiddleware<SharingRequestContext>(verifier: verifier, auditLog: audit, maxBodyBytes: 1 << 20))
        router.get("/whoami") { _, context -> String in "\(context.identity?.company ?? "-")/\(context.identity?.developer ?? "-")/\(context.identityFromRequestFields)" }
        router.post("/echo") { request, context -> String in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return "\(context.identity?.company ?? "-") \(body.readableBytes)"
        }
        router.post("/contract/:address/verify") { _, context -> String in "verified for \(context.identity?.company ?? "-")" }

        let developer = try await issuer.sign(issuer.claims(company: "acme", developer: "alice"), algorithm: "ES256")
        let auditor = try await issuer.sign(issuer.claims(company: "acme", developer: "audrey", roles: ["mlaas-auditor"]), algorithm: "RS256")
        func bearer(_ token: String, json: Bool = false) -> HTTPFields {
            var fields: HTTPFields = [.authorization: "Bearer \(token)"]
            if json { fields[.contentType] = "application/json" }
            return fields
        }

        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/whoami", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(String(buffer: response.body).contains("bearer token is required"))
            }
            try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Basic YWxpY2U6c2VjcmV0"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/whoami", method: .get, headers: bearer(developer)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "acme/alice/false")
            }
            // The request's own fields never choose the company.
            try await client.execute(uri: "/whoami?organization_id=globex", method: .get, headers: bearer(developer)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/echo", method: .post, headers: bearer(developer, json: true),
                                     body: ByteBuffer(string: #"{"organization_id":"globex","developer_id":"alice"}"#)) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains(#"organization_id \"globex\" is not the token's organization"#))
            }
            try await client.execute(uri: "/echo", method: .post, headers: bearer(developer, json: true),
                                     body: ByteBuffer(string: #"{"model_params":{"organization_id":"globex"}}"#)) { response in
                #expect(response.status == .forbidden)
            }
            let own = #"{"organization_id":"acme","x":1}"#
            try await client.execute(uri: "/echo", method: .post, headers: bearer(developer, json: true), body: ByteBuffer(string: own)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "acme \(own.utf8.count)")  // the body reaches the handler whole
            }
            // Auditors read (and verify hashes) but never write.
            try await client.execute(uri: "/whoami", method: .get, headers: bearer(auditor)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/echo", method: .post, headers: bearer(auditor, json: true), body: ByteBuffer(string: own)) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("may only read"))
            }
            try await client.execute(uri: "/contract/0x0000000000000000000000000000000000000001/verify", method: .post,
                                     headers: bearer(auditor)) { response in
                #expect(response.status == .ok)
            }
        }
        let lines = try String(contentsOfFile: auditPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6, "\(lines)")  // two 401s and four 403s, each refused by the middleware
        let text = lines.joined(separator: "\n")
        #expect(!text.contains(developer) && !text.contains(auditor) && !text.contains("YWxpY2U6c2VjcmV0"))
        #expect(text.contains(#""developer":"audrey""#) && text.contains(#""company":"acme""#))
    }
}
