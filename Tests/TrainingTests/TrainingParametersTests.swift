import Foundation
import ML
import Primitives
import Testing
import Training

@Suite struct TrainingParametersTests {
    func parse(_ text: String, defaultSeed: UInt64 = 0) throws -> EnergyGRUParameters {
        try EnergyGRUParameters(json: JSONValue.parse(Array(text.utf8))!, defaultSeed: defaultSeed)
    }

    @Test func postedParametersResolveWithDefaults() throws {
        let p = try parse(#"{"epochs": 50, "seed": 7, "batch_size": 128, "lr": 0.005}"#)
        #expect(p.epochs == 50 && p.seed == 7 && p.batchSize == 128 && p.learningRate == 0.005)
        #expect(p.validationFraction == 0.1 && p.earlyStoppingPatience == nil)
        #expect(p.canonicalText == #"{"batch_size":128,"early_stopping_patience":null,"epochs":50,"lr":0.005,"seed":7,"validation_fraction":0.1}"#)
    }

    @Test func keyOrderAndSpellingDoNotChangeTheHash() throws {
        let a = try parse(#"{"epochs": 5, "lr": 0.01, "seed": 1}"#)
        let b = try parse(#"{"seed": 1, "lr": 1e-2, "epochs": 5.0}"#.replacingOccurrences(of: "5.0", with: "5"))
        #expect(a.canonicalText == b.canonicalText)
        #expect(canonicalHash(a.canonicalText) == canonicalHash(b.canonicalText))
        // Defaults are written out: posting the default explicitly is the same job.
        #expect(try parse(#"{"seed": 1, "lr": 0.01, "epochs": 5, "batch_size": 128}"#).canonicalText == a.canonicalText)
    }

    @Test func theModelsSeedAppliesWhenNoneIsPosted() throws {
        #expect(try parse("{}", defaultSeed: 42).seed == 42)
        #expect(try parse(#"{"seed": 3}"#, defaultSeed: 42).seed == 3)
    }

    @Test func badFieldsAreNamed() {
        let cases: [(String, String)] = [
            (#"{"epochs": 0}"#, "epochs"), (#"{"epochs": "ten"}"#, "epochs"), (#"{"epochs": 1.5}"#, "epochs"),
            (#"{"lr": 0}"#, "lr"), (#"{"lr": "fast"}"#, "lr"), (#"{"batch_size": -1}"#, "batch_size"),
            (#"{"seed": -1}"#, "seed"), (#"{"validation_fraction": 1}"#, "validation_fraction"),
            (#"{"early_stopping_patience": 0}"#, "early_stopping_patience"), (#"{"learning_rate": 0.1}"#, "learning_rate"),
            (#"{"column": ""}"#, "column"),
        ]
        for (text, field) in cases {
            #expect(throws: TrainingParameterError.self, "\(text)") { try parse(text) }
            do { _ = try parse(text) } catch let error as TrainingParameterError { #expect(error.field == field, "\(text): \(error)") } catch { Issue.record("\(text): \(error)") }
        }
        #expect(throws: TrainingParameterError("params", "must be a JSON object")) {
            try EnergyGRUParameters(json: .array([]), defaultSeed: 0)
        }
    }

    @Test func processParametersKeepEverythingAndFixTheSeed() throws {
        let p = try ProcessParameters(json: JSONValue.parse(Array(#"{"epochs": 2, "note": "x"}"#.utf8))!, defaultSeed: 9)
        #expect(p.seed == 9)
        #expect(p.canonicalText == #"{"epochs":2,"note":"x","seed":9}"#)
    }

    @Test func trainImagesAreClassified() {
        #expect(TrainerKind(trainImage: "energy-gru") == .builtin("energy-gru"))
        #expect(TrainerKind(trainImage: "cmd: python train.py") == .command("python train.py"))
        #expect(TrainerKind(trainImage: "ghcr.io/acme/train@sha256:abcd") == .image("ghcr.io/acme/train@sha256:abcd"))
        #expect(TrainerKind(trainImage: "  ") == nil)
        let identity = TrainerIdentity.document(for: .builtin("energy-gru"), version: "0.1.0").canonicalString
        #expect(identity.utf8.count <= TrainerIdentity.maxLength)
        #expect(identity.contains(TrainerIdentity.energyGRUCodeHash.description))
    }
}
