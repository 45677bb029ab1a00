import Foundation
import Hummingbird
import ModelSharing
import NIOCore
import Primitives
import Registry

/// The training routes, mounted beside model sharing:
/// `POST /train/{model_id}`, `GET /train/{job_id}`, `GET /train?model_id=`,
/// `DELETE /train/{job_id}`, `GET /train/{job_id}/events` (Server-Sent Events).
extension TrainingService: SharingRouteProvider {
    public func addRoutes(to router: Router<SharingRequestContext>) {
        router.post("/train/:id") { request, context in
            await Self.respond { try await self.postJob(request, context: context) }
        }
        router.get("/train/:id") { _, context in
            await Self.respond { Self.json(self.jobJSON(try await self.visibleJob(context)), status: .ok) }
        }
        router.delete("/train/:id") { _, context in
            await Self.respond {
                let job = try await self.cancel(try await self.visibleJob(context))
                return Self.json(self.jobJSON(job), status: job.state.isFinal ? .ok : .accepted)
            }
        }
        router.get("/train/:id/events") { _, context in
            await Self.respond {
                let stream = self.subscribe(try await self.visibleJob(context))
                let body = ResponseBody { writer in
                    for await event in stream { try await writer.write(ByteBuffer(string: event)) }
                    try await writer.finish(nil)
                }
                return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
            }
        }
        router.get("/train") { request, context in
            await Self.respond { try await self.listJobs(request, context: context) }
        }
    }

    // MARK: Handlers

    private func postJob(_ request: Request, context: SharingRequestContext) async throws -> Response {
        let model = try await sharing.visibleModel(try Self.id(context, field: "model_id"), context: context)
        let type = request.headers[.contentType]?.lowercased() ?? ""
        var posted = JSONValue.object([:])
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: sharing.configuration.maxJSONBytes) } catch {
            throw SharingError.payloadTooLarge("body larger than \(sharing.configuration.maxJSONBytes) bytes")
        }
        if buffer.readableBytes > 0 {
            guard type.hasPrefix("application/json") else {
                throw SharingError.unsupportedMediaType("Content-Type must be application/json, got \"\(type)\"")
            }
            guard let document = JSONValue.parse(Array(buffer: buffer)), case .object = document else {
                throw SharingError.invalidBody("not a JSON object")
            }
            posted = document
        }
        let (job, created) = try await submit(model: model, posted: posted)
        var answer: [String: JSONValue] = ["job_id": .string(Self.text(job.id)), "model_id": .string(Self.text(job.modelId)),
                                           "status": .string(job.state.rawValue), "params_hash": .string(job.paramsHash)]
        if !created { answer["existing"] = .bool(true) }
        return Self.json(.object(answer), status: created ? .accepted : .ok)
    }

    private func listJobs(_ request: Request, context: SharingRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var company = context.identity?.company
        var modelId: UUID?
        if let text = query.get("model_id") {
            let model = try await sharing.visibleModel(try Self.uuid(text, field: "model_id"), context: context)
            modelId = model.id
            company = model.company
        }
        guard let company else { throw SharingError.invalidField("organization_id", reason: "is required without model_id") }
        let limit = Int(query.get("limit") ?? "") ?? 100
        let offset = Int(query.get("offset") ?? "") ?? 0
        let jobs = try await registry.trainingJobs(company: company, modelId: modelId, page: RegistryPage(limit: limit, offset: offset))
        return Self.json(.object(["jobs": .array(jobs.map(jobJSON))]), status: .ok)
    }

    /// The job named by the path when the caller may see it; 404 otherwise.
    private func visibleJob(_ context: SharingRequestContext) async throws -> TrainingJobRow {
        let id = try Self.id(context, field: "job_id")
        guard let job = try await registry.trainingJob(id: id) else { throw SharingError.notFound("no training job \(Self.text(id))") }
        let visible = context.identity.map { $0.company == job.company } ?? context.identityFromRequestFields
        guard visible else { throw SharingError.notFound("no training job \(Self.text(id))") }
        return job
    }

    // MARK: Plumbing

    static func id(_ context: SharingRequestContext, field: String) throws -> UUID {
        try uuid(context.parameters.get("id") ?? "", field: field)
    }

    static func uuid(_ text: String, field: String) throws -> UUID {
        guard text.utf8.count == 36, let id = UUID(uuidString: text) else { throw SharingError.invalidField(field, reason: "must be a UUID") }
        return id
    }

    static func json(_ document: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: document.serialized)))
    }

    static func respond(_ handler: () async throws -> Response) async -> Response {
        do { return try await handler() } catch let error as TrainingParameterError {
            return SharingError.response(for: SharingError.invalidField(error.field, reason: error.reason))
        } catch {
            return SharingError.response(for: error)
        }
    }
}
