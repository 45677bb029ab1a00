import Foundation
import ML

/// `training.safetensors`: the weights being trained and Adam's state (its `checkpointState`
/// tensors, the same ones a training job's checkpoint holds, under an `adam.` prefix), in one
/// file, so that one rename replaces them together and a restarted service continues training
/// exactly where it stopped. A file of weights alone (a registered starting model, or a service
/// of an earlier version) reads with no optimizer state: Adam then starts fresh.
public struct TrainingCheckpoint: Sendable {
    public var weights: [String: Tensor]
    /// Adam's `checkpointState`; nil for a file of weights alone.
    public var optimizer: [String: Tensor]?
    /// Training steps the engine had taken (each step's shuffle is seeded by its number).
    public var engineSteps: Int?

    static let optimizerPrefix = "adam."

    public static func encode(model: EnergyForecaster, optimizer: Adam, engineSteps: Int) -> [UInt8] {
        var tensors = model.stateDict()
        for (name, tensor) in optimizer.checkpointState { tensors[optimizerPrefix + name] = tensor }
        let metadata = ["format": "pt", "architecture": EnergyForecaster.architectureName, "optimizer": "adam",
                        "engine_steps": String(engineSteps)]
        return [UInt8](SafeTensors.encode(tensors, metadata: metadata))
    }

    /// Splits a file into weights and optimizer state.
    public static func decode(_ bytes: [UInt8]) throws -> TrainingCheckpoint {
        let (tensors, metadata) = try SafeTensors.decode(Data(bytes))
        var weights = [String: Tensor]()
        var optimizer = [String: Tensor]()
        for (name, tensor) in tensors {
            if name.hasPrefix(optimizerPrefix) { optimizer[String(name.dropFirst(optimizerPrefix.count))] = tensor } else { weights[name] = tensor }
        }
        guard metadata["optimizer"] == "adam" else { return TrainingCheckpoint(weights: weights, optimizer: nil, engineSteps: nil) }
        guard let engineSteps = metadata["engine_steps"].flatMap(Int.init), engineSteps >= 0 else {
            throw MLError.invalidFile("engine_steps missing or negative")
        }
        return TrainingCheckpoint(weights: weights, optimizer: optimizer, engineSteps: engineSteps)
    }
}
