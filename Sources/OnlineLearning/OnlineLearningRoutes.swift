import Foundation
import Hummingbird
import ModelSharing
import NIOCore
import Primitives

/// The REST routes of online learning, mounted beside model sharing (`SharingRouteProvider`):
///
/// - `POST /ol` (a declaration, `OnlineServiceSpec`) → 201 the service; `GET /ol`; `GET /ol/{name}`;
///   `DELETE /ol/{name}`; `POST /ol/{name}/data` (readings, one object or an array) → what was kept;
/// - KServe V1: `GET /v1/models/{name}`, `POST /v1/models/{name}:predict`, `POST /v1/models/{name}:explain`,
///   `GET /v1/models/{name}/diagnostics`;
/// - Open Inference Protocol V2: `GET /v2/health/live`, `GET /v2/health/ready`, `GET /v2/models/{name}`,
///   `GET /v2/models/{name}/ready`, `POST /v2/models/{name}/infer`.
///
/// A service of another organization is reported as absent (as records are).
public struct OnlineLearningRoutes: SharingRouteProvider {
    public let hub: OnlineLearningHub
    public var maxBodyBytes = 1 << 20

    public init(hub: OnlineLearningHub) { self.hub = hub }

    public func addRoutes(to router: Router<SharingRequestContext>) {
        router.post("/ol") { request, context in
            await Self.respond {
                let body = try await Self.json(request, limit: maxBodyBytes)
                let spec = try OnlineServiceSpec(json: body, company: context.identity?.company, developer: context.identity?.developer)
                let service = try await hub.declare(spec)
                return (.created, await service.statusJSON())
            }
        }
        router.get("/ol") { _, context in
            await Self.respond {
                var list = [JSONValue]()
                for service in hub.all where Self.visible(service, context) { list.append(await service.statusJSON()) }
                return (.ok, .object(["services": .array(list)]))
            }
        }
        router.get("/ol/:name") { _, context in
            await Self.respond { (.ok, try await service(context).statusJSON()) }
        }
        router.delete("/ol/:name") { _, context in
            await Self.respond {
                let service = try service(context)
                try await hub.remove(service.spec.name)
                return (.ok, .object(["removed": .string(service.spec.name)]))
            }
        }
        router.post("/ol/:name/data") { request, context in
            await Self.respond {
                let service = try service(context)
                guard service.spec.sources.contains("http") else {
                    throw OnlineLearningError(status: 409, "service \(service.spec.name) does not take readings over HTTP (add \"http\" to its sources)")
                }
                var request = request
                let buffer: ByteBuffer
                do { buffer = try await request.collectBody(upTo: maxBodyBytes) } catch {
                    throw OnlineLearningError(status: 413, "readings body larger than \(maxBodyBytes) bytes")
                }
                let report = await service.ingest(payload: Array(buffer: buffer), source: "http", position: nil, durable: true)
                let malformed = report.dropped.filter { ![DropReason.duplicate, .late, .replayed].contains($0.key) }
                if report.accepted == 0, !malformed.isEmpty {
                    let reasons = malformed.keys.map(\.rawValue).sorted().joined(separator: ", ")
                    var body = report.json
                    if case .object(var members) = body {
                        members["error"] = .string("no reading accepted: \(reasons) (expected {\"timestamp\", \"voltage\": [3], \"current\": [3], \"power_factor\": [3]} or an array of them)")
                        body = .object(members)
                    }
                    return (.unprocessableContent, body)
                }
                return (.ok, report.json)
            }
        }
        InferenceRoutes(hub: hub, maxBodyBytes: maxBodyBytes).addRoutes(to: router)
    }

    private func service(_ context: SharingRequestContext) throws -> OnlineLearningService {
        try Self.service(hub, context)
    }

    static func service(_ hub: OnlineLearningHub, _ context: SharingRequestContext, parameter: String = "name") throws -> OnlineLearningService {
        let name = context.parameters.get(parameter) ?? ""
        guard let service = hub.service(name), visible(service, context) else { throw OnlineLearningError(status: 404, "no online-learning service \(name)") }
        return service
    }

    /// With "auth none" a request naming no organization sees every service; otherwise only its own.
    static func visible(_ service: OnlineLearningService, _ context: SharingRequestContext) -> Bool {
        guard let identity = context.identity else { return context.identityFromRequestFields }
        return identity.company == service.spec.company
    }

    static func json(_ request: Request, limit: Int) async throws -> JSONValue {
        var request = request
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw OnlineLearningError(status: 415, "Content-Type must be application/json")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw OnlineLearningError(status: 413, "JSON body larger than \(limit) bytes")
        }
        guard let document = JSONValue.parse(Array(buffer: buffer)) else { throw OnlineLearningError.invalid("body", "is not JSON") }
        return document
    }

    static func respond(headers: HTTPFields = [:], _ body: () async throws -> (HTTPResponse.Status, JSONValue)) async -> Response {
        do {
            let (status, document) = try await body()
            return response(status, document, headers: headers)
        } catch let error as OnlineLearningError {
            return response(HTTPResponse.Status(code: error.status), error.body)
        } catch let error as SharingError {
            return response(error.status, error.body)
        } catch {
            return response(.internalServerError, .object(["error": .string("internal error: \(error)")]))
        }
    }

    static func response(_ status: HTTPResponse.Status, _ document: JSONValue, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: document.serialized)))
    }
}
