import Primitives
import Foundation
import Hummingbird
import NIOCore
import RPC

/// The REST API's OpenAPI 3.1 document (`GET /openapi.json`) and a page that reads it
/// (`GET /docs`).
///
/// The document is written by hand as data, in three pieces (sharing paths, verification and
/// service paths, components) so that each file stays readable; it is served verbatim, so the
/// bytes a client fetches are the ones reviewed here. It must follow the handlers: when a route,
/// a field or a status changes, change it here too (the schemathesis interop test,
/// Tests/interop/test_openapi_schemathesis.py, fails on responses the document does not describe).
public enum OpenAPIDocument {
    /// The whole document, JSON text.
    public static let text: String = "{\n" + head + ",\n" + security + ",\n  \"paths\": {\n" + withAccessResponses(sharingPaths)
        + ",\n" + withAccessResponses(otherPaths)
        + ",\n" + withAccessResponses(trainingPaths)  // training routes (OpenAPIDocument+TrainingPaths.swift)
        + ",\n" + withAccessResponses(onlineLearningPaths)  // online learning (OpenAPIDocument+OnlineLearningPaths.swift)
        + "\n  },\n  \"components\": {\n" + withAccessComponents(componentsWithOnlineLearning) + "\n  }\n}\n"

    /// The shared components with the online-learning schemas and responses first in each map.
    static let componentsWithOnlineLearning = components
        .replacingOccurrences(of: "  \"schemas\": {\n", with: "  \"schemas\": {\n" + onlineLearningSchemas + ",\n")
        .replacingOccurrences(of: "  \"responses\": {\n", with: "  \"responses\": {\n" + onlineLearningResponses + ",\n")

    /// The document parsed once (for the docs page and the tests); nil only if the text above is
    /// not JSON, which the tests rule out.
    public static let parsed: JSONValue? = JSONValue.parse(Array(text.utf8))

    static let head = #"""
  "openapi": "3.1.0",
  "info": {
    "title": "MLedger REST API",
    "version": "1.0.0",
    "description": "Model sharing (datasets and models with their files, anchored on chain and served only after the stored bytes check out against the chain) and contract verification, on the node's `--api-addr`. Errors are JSON objects `{\"error\": ...}`; a 422 names the offending field in `field`. Identity: with `--auth oidc` or `--auth dev` the caller is the bearer token (company, developer, roles; every route scoped to the token's company, another company's ids answer 404 like unknown ones, a body naming another organization 403, auditors read only); with \"auth none\" (loopback only) the caller's organization is the `organization_id` of the JSON body (top level or `model_params`), of a multipart upload's `metadata` part, or of the query."
  },
  "tags": [
    {"name": "datasets", "description": "Datasets with their files"},
    {"name": "models", "description": "Models with their weights"},
    {"name": "verification", "description": "Record contracts by address"},
    {"name": "service", "description": "Documentation and metrics"},
    {"name": "training", "description": "Training jobs for registered models"}
  ]
"""#
}

extension ModelSharingService {
    /// `GET /openapi.json` and `GET /docs`.
    func addDocumentationRoutes<Context: RequestContext>(to router: Router<Context>) {
        let document = ByteBuffer(string: OpenAPIDocument.text)
        let page = ByteBuffer(string: DocsPage.render(OpenAPIDocument.parsed ?? .object([:])))
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: document))
        }
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: page))
        }
    }
}
