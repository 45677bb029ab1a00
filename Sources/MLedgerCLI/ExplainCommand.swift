import ArgumentParser
import Foundation
import ML
import Primitives

/// `mledger explain`: DeepLIFT attributions per input hour of a trained energy-gru.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "DeepLIFT attributions (rescale rule) per input hour: {\"instances\": [[36 values], ...]} in, one explanation per instance out.")

    @Option(help: "Model directory written by `mledger train`.")
    var model: String

    @Option(help: "JSON file with {\"instances\": [[...], ...]} (raw, unscaled values); - for standard input.")
    var input: String

    @Option(help: "zero (the scaled zero window, i.e. the series minimum) or a JSON file {\"baseline\": [36 raw values]}.")
    var baseline: String = "zero"

    @Option(help: "Output (forecast hour 0-23) to explain; the sum of all 24 when left out.")
    var outputIndex: Int?

    @Option(help: "Rule for the GRU's gate products: averaged (attributions sum to the output change) or gradient (Captum's).")
    var productRule: String = DeepLIFTProductRule.averaged.rawValue

    func run() throws {
        guard let rule = DeepLIFTProductRule(rawValue: productRule) else {
            throw ValidationError("--product-rule must be averaged or gradient, got '\(productRule)'")
        }
        let predictor = try EnergyPredictor(directory: URL(fileURLWithPath: model))
        let windows = try CLIJSON.numberRows(CLIJSON.document(input)["instances"], name: "instances")
        var rawBaseline: [Float]?
        if baseline != "zero" {
            let document = try CLIJSON.document(baseline)
            rawBaseline = try CLIJSON.numberRows(.array([document["baseline"] ?? .null]), name: "baseline")[0]
        }
        let target: DeepLIFTTarget = outputIndex.map { .output($0) } ?? .sumOfOutputs
        let options = DeepLIFTOptions(productRule: rule)
        let explanations = try windows.map { window -> JSONValue in
            let a = try predictor.explain(rawWindow: window, rawBaseline: rawBaseline, target: target, options: options)
            return .object([
                "attributions": .array(a.attributions.map { .double($0) }),
                "output": .double(a.output), "baseline_output": .double(a.baselineOutput),
                "output_delta": .double(a.outputDelta), "attribution_sum": .double(a.attributionSum),
                "convergence_delta": .double(a.convergenceDelta),
            ])
        }
        let output = JSONValue.object([
            "explanations": .array(explanations),
            "target": outputIndex.map { .int($0) } ?? .string("sum"),
            "baseline": .string(baseline == "zero" ? "zero" : "file"),
            "product_rule": .string(rule.rawValue),
            "units": .string("scaled"),
            "output_scale": .double(Double(predictor.scaler.maximum - predictor.scaler.minimum)),
        ])
        print(output.canonicalString)
    }
}

/// Reading the small JSON inputs of the analysis commands.
enum CLIJSON {
    static func document(_ path: String) throws -> JSONValue {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw CommandFailure("cannot read \(path)") }
        }
        do { return try JSONValue(document: data) } catch { throw CommandFailure("\(path) is not valid JSON: \(error)") }
    }

    /// An array of arrays of finite numbers, named in errors as `name[i][j]`.
    static func numberRows(_ value: JSONValue?, name: String) throws -> [[Float]] {
        guard let rows = value?.arrayValue else { throw CommandFailure("input must be an object with a \"\(name)\" array") }
        return try rows.enumerated().map { i, row in
            guard let items = row.arrayValue else { throw CommandFailure("\(name)[\(i)] is not an array") }
            return try numbers(items, name: "\(name)[\(i)]").map { Float($0) }
        }
    }

    static func numbers(_ items: [JSONValue], name: String) throws -> [Double] {
        try items.enumerated().map { j, v in
            guard let d = v.doubleValue, d.isFinite else { throw CommandFailure("\(name)[\(j)] is not a finite number") }
            return d
        }
    }
}
