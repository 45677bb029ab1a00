import ArgumentParser
import LedgerCrypto
import Foundation
import ML

/// `mledger train`: trains a built-in architecture on a CSV series and writes a model directory.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a built-in model (energy-gru) on an hourly CSV series, deterministically from a seed.")

    @Option(help: "Architecture to train (energy-gru).")
    var arch: String

    @Option(help: "CSV file of hourly values: one column, or a header naming --column.")
    var data: String

    @Option(help: "CSV column to use when the file has several columns.")
    var column: String?

    @Option(help: "Seed for initial weights and shuffling.")
    var seed: UInt64

    @Option(help: "Training epochs (default 50).")
    var epochs: Int = 50

    @Option(help: "Kernel threads (default: all cores); the weights are bit-identical for any value.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Output directory for architecture.json, weights.safetensors, preprocessing.json, metrics.json.")
    var out: String

    func validate() throws {
        guard arch == EnergyForecaster.architectureName else {
            throw ValidationError("unknown architecture '\(arch)'; known: \(EnergyForecaster.architectureName)")
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        // ML errors carry their own message (line numbers for CSV rows); the parser prints it
        // as "Error: …" and exits non-zero.
        let series = try HourlySeries.readCSV(at: URL(fileURLWithPath: data), column: column)
        var recipe = EnergyTrainingRecipe(seed: seed)
        recipe.epochs = epochs
        recipe.threads = threads
        // A progress bar redrawn in place on a terminal; one plain line per epoch otherwise.
        let terminal = isatty(fileno(stderr)) != 0
        let started = Date()
        var lastLoss = ""
        let outcome = try recipe.run(series: series, output: URL(fileURLWithPath: out)) { event in
            switch event {
            case .batchFinished(let epoch, let batch, let of):
                guard terminal else { return }
                let done = Double(epoch - 1) + Double(batch) / Double(max(1, of))
                let fraction = done / Double(epochs)
                let elapsed = Date().timeIntervalSince(started)
                let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
                let width = 30
                let filled = min(width, Int(fraction * Double(width)))
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                let line = String(format: "\r[%@] epoch %d/%d step %d/%d%@ ETA %.0f s ", bar, epoch, epochs, batch, of, lastLoss, eta)
                FileHandle.standardError.write(Data(line.utf8))
            case .epochFinished(let m, let total):
                lastLoss = String(format: " loss %.6f", m.trainLoss)
                guard !terminal else { return }
                let validation = m.validationLoss.map { String(format: " val_loss %.6f val_mae %.6f", $0, m.validationMAE ?? 0) } ?? ""
                let line = String(format: "epoch %d/%d train_loss %.6f", m.epoch, total, m.trainLoss) + validation
                    + String(format: " (%.1f s)", Date().timeIntervalSince(started))
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        let weights = try Data(contentsOf: outcome.weightsFile)
        let hash = weights.withUnsafeBytes { Keccak256.hash($0) }
        if let last = outcome.report.epochs.last {
            print(String(format: "trained %@ for %d epochs: train_loss %.6f", arch, last.epoch, last.trainLoss)
                  + (last.validationLoss.map { String(format: " val_loss %.6f", $0) } ?? ""))
        }
        print("model directory: \(out)")
        print("weights keccak256: \(hash)")
    }
}
