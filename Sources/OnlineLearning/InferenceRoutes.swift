import LedgerCrypto
import Foundation
import Hummingbird
import ModelSharing
import NIOCore
import Primitives

/// KServe-compatible inference over each service's serving snapshot (V1 and the Open Inference
/// Protocol V2), with optional signed receipts (`InferenceReceipt`). Readiness answers 200 with
/// `"ready": false` until the first snapshot is anchored; predict, explain, infer and
/// diagnostics answer 409 until then (a 5xx would say the server failed, which it did not).
///
/// Forecast intervals: each forecast carries a 90 % interval per horizon step, the forecast plus
/// the 5 % and 95 % empirical quantiles of the serving snapshot's validation residuals
/// (target − forecast, raw units) at that step.
struct InferenceRoutes {
    let hub: OnlineLearningHub
    let maxBodyBytes: Int
    static let receiptHeader = HTTPFields.Element.Name("X-MLedger-Receipt")!

    func addRoutes(to router: Router<SharingRequestContext>) {
        router.get("/v1/models/:name") { _, context in
            await OnlineLearningRoutes.respond {
                let service = try OnlineLearningRoutes.service(hub, context)
                let ready = service.serving.model != nil
                return (.ok, .object(["name": .string(service.spec.name), "ready": .bool(ready)]))
            }
        }
        // `{name}:predict` is one path segment; the router names the parameter as the GET does.
        router.post("/v1/models/:name") { request, context in
            await OnlineLearningRoutes.respond {
                let target = context.parameters.get("name") ?? ""
                guard let colon = target.lastIndex(of: ":") else {
                    throw OnlineLearningError(status: 404, "use POST /v1/models/{name}:predict or :explain")
                }
                let name = String(target[..<colon])
                let verb = target[target.index(after: colon)...]
                guard let service = hub.service(name), OnlineLearningRoutes.visible(service, context) else {
                    throw OnlineLearningError(status: 404, "no online-learning service \(name)")
                }
                let body = try await OnlineLearningRoutes.json(request, limit: maxBodyBytes)
                switch verb {
                case "predict": return try await predictV1(service, body, receipt: wantsReceipt(request))
                case "explain": return try await explainV1(service, body, receipt: wantsReceipt(request))
                default: throw OnlineLearningError(status: 404, "unknown verb \(verb) (predict, explain)")
                }
            }
        }
        router.get("/v1/models/:name/diagnostics") { _, context in
            await OnlineLearningRoutes.respond {
                let service = try OnlineLearningRoutes.service(hub, context)
                guard let model = service.serving.model else { throw OnlineLearningError(status: 409, "model \(service.spec.name) has no anchored snapshot yet") }
                guard let diagnostics = hub.diagnostics else { throw OnlineLearningError(status: 501, "no residual diagnostics are installed in this build") }
                let result = try diagnostics.diagnose(residuals: model.snapshot.residuals)
                // The residuals themselves travel too, so a client can recompute every test.
                return (.ok, .object(["name": .string(service.spec.name), "snapshot": .string(model.snapshot.contractAddress),
                                      "residuals": .int(model.snapshot.residuals.count),
                                      "residual_values": .array(model.snapshot.residuals.map { .double($0) }), "tests": result]))
            }
        }
        router.get("/v2/health/live") { _, _ in OnlineLearningRoutes.response(.ok, .object(["live": .bool(true)])) }
        router.get("/v2/health/ready") { _, _ in OnlineLearningRoutes.response(.ok, .object(["ready": .bool(true)])) }
        router.get("/v2/models/:name/ready") { _, context in
            await OnlineLearningRoutes.respond {
                let service = try OnlineLearningRoutes.service(hub, context)
                let ready = service.serving.model != nil
                return (.ok, .object(["name": .string(service.spec.name), "ready": .bool(ready)]))
            }
        }
        router.get("/v2/models/:name") { _, context in
            await OnlineLearningRoutes.respond {
                let service = try OnlineLearningRoutes.service(hub, context)
                let versions = await service.currentState.snapshots.map { JSONValue.string($0.id.uuidString.lowercased()) }
                func tensor(_ name: String, _ shape: [Int]) -> JSONValue {
                    .object(["name": .string(name), "datatype": .string("FP32"), "shape": .array(shape.map { .int($0) })])
                }
                return (.ok, .object([
                    "name": .string(service.spec.name), "versions": .array(versions), "platform": .string("mledger-energy-gru"),
                    "inputs": .array([tensor("input", [-1, service.spec.window])]),
                    "outputs": .array(["forecast", "lower_90", "upper_90"].map { tensor($0, [-1, service.spec.horizon]) }),
                ]))
            }
        }
        router.post("/v2/models/:name/infer") { request, context in
            await OnlineLearningRoutes.respond {
                let service = try OnlineLearningRoutes.service(hub, context)
                let body = try await OnlineLearningRoutes.json(request, limit: maxBodyBytes)
                return try await inferV2(service, body, receipt: wantsReceipt(request))
            }
        }
    }

    func wantsReceipt(_ request: Request) -> Bool { request.headers[Self.receiptHeader]?.trimmingCharacters(in: .whitespaces) == "1" }

    func serving(_ service: OnlineLearningService) throws -> ServingModel {
        guard let model = service.serving.model else {
            throw OnlineLearningError(status: 409, "model \(service.spec.name) has no anchored snapshot yet")
        }
        return model
    }

    /// The `instances` of a V1 body as raw windows; `[]` means the service's latest window.
    func instances(_ service: OnlineLearningService, _ model: ServingModel, _ body: JSONValue) async throws -> [[Double]] {
        guard case .array(let items)? = body["instances"] else { throw OnlineLearningError.invalid("instances", "must be an array of windows") }
        if items.isEmpty {
            guard let latest = await service.latestWindow() else {
                throw OnlineLearningError(status: 409, "no forecast yet: the last \(model.window) hours are not all buffered")
            }
            return [latest]
        }
        guard items.count <= 1024 else { throw OnlineLearningError.invalid("instances", "at most 1024 windows per request") }
        let windows = try items.enumerated().map { i, item -> [Double] in
            guard case .array(let values) = item else { throw OnlineLearningError.invalid("instances[\(i)]", "must be an array of numbers") }
            return try values.map { value in
                guard let number = value.doubleValue else { throw OnlineLearningError.invalid("instances[\(i)]", "must be an array of numbers") }
                return number
            }
        }
        try model.validate(windows, field: "instances")
        return windows
    }

    func predictV1(_ service: OnlineLearningService, _ body: JSONValue, receipt: Bool) async throws -> (HTTPResponse.Status, JSONValue) {
        let model = try serving(service)
        let windows = try await instances(service, model, body)
        let forecasts = await model.forecast(windows)
        func rows(_ pick: (ServingModel.Forecast) -> [Float]) -> JSONValue { .array(forecasts.map { .array(pick($0).map { .double(Double($0)) }) }) }
        var answer: [String: JSONValue] = [
            "predictions": rows(\.values),
            "intervals": .object(["level": .double(0.9), "lower": rows(\.lower), "upper": rows(\.upper)]),
            "model_version": .string(model.snapshot.id.uuidString.lowercased()),
        ]
        if receipt { answer["receipt"] = try await InferenceReceipt.make(service: service, model: model, input: windows, output: .object(answer), sharing: hub.sharing) }
        return (.ok, .object(answer))
    }

    func explainV1(_ service: OnlineLearningService, _ body: JSONValue, receipt: Bool) async throws -> (HTTPResponse.Status, JSONValue) {
        guard service.spec.explainer else { throw OnlineLearningError(status: 404, "the explainer of \(service.spec.name) is off (\"explainer\": true in its declaration)") }
        let model = try serving(service)
        guard let explainer = hub.explainer else { throw OnlineLearningError(status: 501, "no explainer is installed in this build") }
        let windows = try await instances(service, model, body)
        let explanations = try windows.map { window in
            try explainer.explain(model: model.model, scaledWindow: window.map { model.scaler.scale(Float($0)) }, baseline: nil)
        }
        var answer: [String: JSONValue] = [
            "explanations": .array(explanations.map { .array($0.map { .array($0.map { .double(Double($0)) }) }) }),
            "model_version": .string(model.snapshot.id.uuidString.lowercased()),
        ]
        if receipt { answer["receipt"] = try await InferenceReceipt.make(service: service, model: model, input: windows, output: .object(answer), sharing: hub.sharing) }
        return (.ok, .object(answer))
    }

    /// Open Inference Protocol V2: one input tensor `[N, window]` (or `[window]`), FP32 or FP64,
    /// data flat in row-major order (nested arrays are flattened too); outputs `forecast`,
    /// `lower_90`, `upper_90`, each `[N, horizon]` FP32.
    func inferV2(_ service: OnlineLearningService, _ body: JSONValue, receipt: Bool) async throws -> (HTTPResponse.Status, JSONValue) {
        let model = try serving(service)
        guard case .array(let inputs)? = body["inputs"], inputs.count == 1, case .object(let input) = inputs[0] else {
            throw OnlineLearningError.invalid("inputs", "must be an array of exactly one input tensor")
        }
        guard case .array(let shapeItems)? = input["shape"], let shape = Optional(shapeItems.compactMap(\.intValue)), shape.count == shapeItems.count,
              shape.count == 1 || shape.count == 2, shape.allSatisfy({ $0 >= 0 }) else {
            throw OnlineLearningError.invalid("inputs[0].shape", "must be [N, \(model.window)] or [\(model.window)]")
        }
        guard let datatype = input["datatype"]?.stringValue, ["FP32", "FP64"].contains(datatype) else {
            throw OnlineLearningError.invalid("inputs[0].datatype", "must be FP32 or FP64")
        }
        guard let data = input["data"] else { throw OnlineLearningError.invalid("inputs[0].data", "is required") }
        var flat = [Double]()
        func collect(_ value: JSONValue) throws {
            if case .array(let items) = value { for item in items { try collect(item) }; return }
            guard let number = value.doubleValue else { throw OnlineLearningError.invalid("inputs[0].data", "must hold numbers") }
            flat.append(number)
        }
        try collect(data)
        let rows = shape.count == 2 ? shape[0] : 1
        let width = shape.last!
        guard width == model.window else { throw OnlineLearningError.invalid("inputs[0].shape", "must be [N, \(model.window)] or [\(model.window)]") }
        guard rows >= 1, rows <= 1024, flat.count == rows * width else {
            throw OnlineLearningError.invalid("inputs[0].data", "holds \(flat.count) values; shape \(shape) needs \(rows * width)")
        }
        let windows = (0..<rows).map { Array(flat[($0 * width)..<(($0 + 1) * width)]) }
        try model.validate(windows, field: "inputs[0].data")
        let forecasts = await model.forecast(windows)
        func output(_ name: String, _ pick: (ServingModel.Forecast) -> [Float]) -> JSONValue {
            .object(["name": .string(name), "datatype": .string("FP32"), "shape": .array([.int(rows), .int(model.horizon)]),
                     "data": .array(forecasts.flatMap { pick($0).map { .double(Double($0)) } })])
        }
        var answer: [String: JSONValue] = [
            "model_name": .string(service.spec.name), "model_version": .string(model.snapshot.id.uuidString.lowercased()),
            "outputs": .array([output("forecast", \.values), output("lower_90", \.lower), output("upper_90", \.upper)]),
        ]
        if let id = body["id"]?.stringValue { answer["id"] = .string(id) }
        if receipt { answer["receipt"] = try await InferenceReceipt.make(service: service, model: model, input: windows, output: .object(answer), sharing: hub.sharing) }
        return (.ok, .object(answer))
    }
}

/// A signed statement of what an anchored model answered.
///
/// The signed message is the canonical JSON (keys sorted, no spaces) of
/// `{"block_number", "input_keccak", "model", "model_record", "output_keccak", "time", "weights_hash"}`:
/// `input_keccak` is the Keccak-256 of the canonical JSON of the windows forecast (an array of
/// arrays of numbers, after `"instances": []` was replaced by the latest window), `output_keccak`
/// that of the canonical JSON of the answer without its receipt. It is signed by the serving
/// company's account as an EIP-191 personal message; the receipt carries the message text, the
/// 65-byte signature (v = 27/28) and the signer.
enum InferenceReceipt {
    static func make(service: OnlineLearningService, model: ServingModel, input: [[Double]], output: JSONValue,
                     sharing: ModelSharingService) async throws -> JSONValue {
        let inputJSON = JSONValue.array(input.map { .array($0.map { .double($0) }) })
        let fields: JSONValue = .object([
            "model": .string(service.spec.name),
            "model_record": .string(model.snapshot.contractAddress),
            "weights_hash": .string(model.snapshot.weightsHash),
            "input_keccak": .string(Keccak256.hash(Array(inputJSON.canonicalString.utf8)).description),
            "output_keccak": .string(Keccak256.hash(Array(output.canonicalString.utf8)).description),
            "block_number": .integer(Int64(try await sharing.blockNumber())),
            "time": .integer(Int64(Date().timeIntervalSince1970)),
        ])
        let message = fields.canonicalString
        let (signature, signer) = try sharing.signPersonalMessage(Array(message.utf8), company: service.spec.company)
        guard case .object(var members) = fields else { return fields }
        members["message"] = .string(message)
        members["signature"] = .string(Hex.encode(signature))
        members["signer"] = .string(signer.description)
        return .object(members)
    }
}
