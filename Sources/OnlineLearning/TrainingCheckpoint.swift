import Foundation
import ML

/// `training.safetensors`: the weights being trained, Adam's moments (`adam.exp_avg.<name>`,
/// `adam.exp_avg_sq.<name>`) and its step counts (metadata), in one file, so that one rename
/// replaces them together and a restarted service continues training exactly where it stopped.
/// A file of weights alone (a registered starting model, or a service of an earlier version)
/// reads with no optimizer state: Adam then starts fresh.
public struct TrainingCheckpoint: Sendable {
    public var weights: [String: Tensor]
    public var optimizer: Adam.State?
    /// Training steps the engine had taken (each step's shuffle is seeded by its number).
    public var engineSteps: Int?

    static let firstPrefix = "adam.exp_avg."
    static let secondPrefix = "adam.exp_avg_sq."

    public static func encode(model: EnergyForecaster, optimizer: Adam, engineSteps: Int) -> [UInt8] {
        var tensors = model.stateDict()
        let state = optimizer.state
        var steps = [String]()
        for (i, named) in model.namedParameters.enumerated() {
            if let m = state.firstMoments[i] { tensors[firstPrefix + named.name] = m }
            if let v = state.secondMoments[i] { tensors[secondPrefix + named.name] = v }
            steps.append("\(named.name)=\(state.steps[i])")
        }
        let metadata = ["format": "pt", "architecture": EnergyForecaster.architectureName, "optimizer": "adam",
                        "adam_steps": steps.joined(separator: ","), "engine_steps": String(engineSteps)]
        return [UInt8](SafeTensors.encode(tensors, metadata: metadata))
    }

    /// Splits a file into weights and optimizer state; `names` are the model's parameter names
    /// in optimizer order.
    public static func decode(_ bytes: [UInt8], names: [String]) throws -> TrainingCheckpoint {
        let (tensors, metadata) = try SafeTensors.decode(Data(bytes))
        var weights = [String: Tensor]()
        for (name, tensor) in tensors where !name.hasPrefix("adam.") { weights[name] = tensor }
        guard metadata["optimizer"] == "adam", let text = metadata["adam_steps"] else {
            return TrainingCheckpoint(weights: weights, optimizer: nil, engineSteps: nil)
        }
        var byName = [String: Int]()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=")
            guard parts.count == 2, let n = Int(parts[1]) else { throw MLError.invalidFile("adam_steps entry \(item)") }
            byName[String(parts[0])] = n
        }
        guard let engineSteps = metadata["engine_steps"].flatMap(Int.init) else { throw MLError.invalidFile("engine_steps missing") }
        let state = Adam.State(
            firstMoments: names.map { tensors[firstPrefix + $0] }, secondMoments: names.map { tensors[secondPrefix + $0] },
            steps: try names.map { name in
                guard let n = byName[name] else { throw MLError.invalidFile("adam_steps has no entry for \(name)") }
                return n
            })
        return TrainingCheckpoint(weights: weights, optimizer: state, engineSteps: engineSteps)
    }
}
