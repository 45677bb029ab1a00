import ArgumentParser
import Foundation
import ML
import Primitives

/// `mledger predict`: forecasts with a trained model directory.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Forecast with a trained model: {\"instances\": [[36 values], ...]} in, {\"predictions\": [[24 values], ...]} out.")

    @Option(help: "Model directory written by `mledger train`.")
    var model: String

    @Option(help: "JSON file with {\"instances\": [[...], ...]} (raw, unscaled values); - for standard input.")
    var input: String

    func run() throws {
        let predictor = try EnergyPredictor(directory: URL(fileURLWithPath: model))
        let data = input == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try readInput()
        let document = try JSONValue(document: data)
        guard let instances = document["instances"]?.arrayValue else {
            throw MLError.invalidInput("input must be an object with an \"instances\" array")
        }
        let windows = try instances.enumerated().map { index, instance -> [Float] in
            guard let values = instance.arrayValue else { throw MLError.invalidInput("instance \(index) is not an array") }
            return try values.map { v in
                guard let d = v.doubleValue, d.isFinite else { throw MLError.invalidInput("instance \(index) holds a non-number") }
                return Float(d)
            }
        }
        let predictions = try predictor.predict(windows)
        let output = JSONValue.object(["predictions": .array(predictions.map { .array($0.map { .double(Double($0)) }) })])
        print(output.canonicalString)
    }

    private func readInput() throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw MLError.invalidInput("cannot read \(input)")
        }
    }
}
