import Foundation
import ML
import ONNX
import Primitives
import XCTest

/// Native → ONNX → native, with MLedger's evaluator checked against the native layers.
final class TranslationRoundTripTests: XCTestCase {
    static func directory(_ architecture: JSONValue, seed: UInt64) throws -> ModelDirectory {
        // Weights drawn from the architecture's own layers: build once with zero weights to
        // learn the names and shapes, then fill from the seed.
        var generator = SeededGenerator(seed: seed)
        var state = [String: Tensor]()
        for entry in architecture["layers"]!.arrayValue! {
            let name = entry["name"]?.stringValue ?? ""
            switch entry["type"]!.stringValue! {
            case "gru", "lstm":
                let gates = entry["type"]!.stringValue! == "gru" ? 3 : 4
                let input = entry["input_size"]!.intValue!, hidden = entry["hidden_size"]!.intValue!
                for l in 0..<(entry["num_layers"]?.intValue ?? 1) {
                    let inp = l == 0 ? input : hidden
                    state["\(name).weight_ih_l\(l)"] = generator.uniformTensor([gates * hidden, inp], bound: 0.5)
                    state["\(name).weight_hh_l\(l)"] = generator.uniformTensor([gates * hidden, hidden], bound: 0.5)
                    state["\(name).bias_ih_l\(l)"] = generator.uniformTensor([gates * hidden], bound: 0.5)
                    state["\(name).bias_hh_l\(l)"] = generator.uniformTensor([gates * hidden], bound: 0.5)
                }
            case "linear":
                let i = entry["in_features"]!.intValue!, o = entry["out_features"]!.intValue!
                state["\(name).weight"] = generator.uniformTensor([o, i], bound: 0.5)
                state["\(name).bias"] = generator.uniformTensor([o], bound: 0.5)
            default: break
            }
        }
        return ModelDirectory(architecture: architecture, weights: SafeTensors.encode(state))
    }

    static let lstmArchitecture: JSONValue = .object([
        "name": .string("lstm-test"), "format": .string("mledger-ml/1"),
        "input": .object(["window": .int(12), "features": .int(3)]),
        "layers": .array([
            .object(["name": .string("lstm"), "type": .string("lstm"), "input_size": .int(3), "hidden_size": .int(16),
                     "num_layers": .int(2), "batch_first": .bool(true), "bias": .bool(true)]),
            .object(["type": .string("last_time_step")]),
            .object(["name": .string("head"), "type": .string("linear"), "in_features": .int(16), "out_features": .int(5)]),
            .object(["type": .string("tanh")]),
        ]),
    ])

    static let mlpArchitecture: JSONValue = .object([
        "name": .string("mlp-test"), "format": .string("mledger-ml/1"), "input": .object(["features": .int(7)]),
        "layers": .array([
            .object(["name": .string("fc1"), "type": .string("linear"), "in_features": .int(7), "out_features": .int(32)]),
            .object(["type": .string("relu")]),
            .object(["name": .string("fc2"), "type": .string("linear"), "in_features": .int(32), "out_features": .int(16)]),
            .object(["type": .string("sigmoid")]),
            .object(["name": .string("fc3"), "type": .string("linear"), "in_features": .int(16), "out_features": .int(2)]),
        ]),
    ])

    func check(_ directory: ModelDirectory, file: StaticString = #filePath, line: UInt = #line) throws {
        let exported = try ModelTranslation.export(directory, sourceModelId: "test-model", mledgerVersion: "test")
        let certificate = exported.certificate
        XCTAssertTrue(certificate.equivalent, file: file, line: line)
        XCTAssertLessThanOrEqual(certificate.maxAbsoluteError, 1e-5, file: file, line: line)
        XCTAssertEqual(certificate.opset, 17, file: file, line: line)
        XCTAssertEqual(certificate.inputShape.first, 64, file: file, line: line)
        XCTAssertEqual(certificate.sourceWeightsHash, directory.weightsHash, file: file, line: line)
        // The certificate survives its canonical JSON and re-verifies against the file.
        let reread = try EquivalenceCertificate(json: try JSONValue(parsing: certificate.canonicalJSON))
        XCTAssertEqual(reread.canonicalJSON, certificate.canonicalJSON, file: file, line: line)
        XCTAssertTrue(try reread.verify(onnxBytes: exported.onnx).equivalent, file: file, line: line)
        // Exporting twice gives the same bytes.
        XCTAssertEqual(try ModelTranslation.export(directory, sourceModelId: "test-model", mledgerVersion: "test").onnx, exported.onnx,
                       file: file, line: line)

        // ONNX → native gives back the same weights under the same names.
        let imported = try ModelTranslation.importONNX(exported.onnx)
        let back = try XCTUnwrap(imported.directory, imported.evaluatorOnlyReason ?? "", file: file, line: line)
        XCTAssertEqual(try SafeTensors.decode(back.weights).tensors, try SafeTensors.decode(directory.weights).tensors, file: file, line: line)
        XCTAssertEqual(back.architecture, directory.architecture, file: file, line: line)
        XCTAssertLessThanOrEqual(try XCTUnwrap(imported.certificate, file: file, line: line).maxAbsoluteError, 1e-5, file: file, line: line)
    }

    func testEnergyGRURoundTrip() throws {
        let model = EnergyForecaster(seed: 42)
        let directory = ModelDirectory(architecture: EnergyForecaster.architecture, weights: SafeTensors.encode(model.stateDict()))
        try check(directory)
        // The native network built from the directory is the trained model's forward pass.
        let input = Tensor(shape: [3, 36, 1]) { Float($0 % 7) / 7 }
        let expected = GradientMode.withoutGradients { model.forward(Variable(input)).value }
        XCTAssertEqual(try directory.network().forward(input), expected)
    }

    func testStackedLSTMRoundTrip() throws { try check(try Self.directory(Self.lstmArchitecture, seed: 3)) }

    func testMLPRoundTrip() throws { try check(try Self.directory(Self.mlpArchitecture, seed: 4)) }

    func testCertificateCatchesAChangedFile() throws {
        let exported = try ModelTranslation.export(try Self.directory(Self.mlpArchitecture, seed: 5), sourceModelId: "m", mledgerVersion: "t")
        // Flip an exponent bit of one weight: the file hash and the outputs both change.
        let changed = try CertificateAuditTests.flippingOneWeight(exported.onnx)
        XCTAssertThrowsError(try exported.certificate.verify(onnxBytes: changed))
        var relabelled = exported.certificate
        relabelled.onnxHash = EquivalenceCertificate.hashText(changed)
        XCTAssertFalse(try relabelled.verify(onnxBytes: changed).equivalent)
    }

    func testWeightsTheArchitectureDoesNotNameAreRefused() throws {
        var state = try SafeTensors.decode(try Self.directory(Self.mlpArchitecture, seed: 6).weights).tensors
        state["fc9.weight"] = Tensor.zeros([1, 1])
        XCTAssertThrowsError(try NativeNetwork(architecture: Self.mlpArchitecture, stateDict: state)) { error in
            XCTAssertTrue("\(error)".contains("fc9.weight"), "\(error)")
        }
    }
}
