import Foundation

/// Settings of the training service (`mledger run --train-workers …`).
public struct TrainingConfiguration: Sendable {
    /// Jobs run at the same time (default one: a job uses every core it is given).
    public var workers = 1
    /// Kernel threads per built-in job; the weights do not depend on it.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// A process or container job that runs longer is killed and fails.
    public var processTimeoutSeconds: Double = 3600
    /// Command template for OCI images (`{image}`, `{workdir}`, `{seed}`); nil: images are refused.
    public var containerCommand: String?
    /// Parent of the jobs' temporary work directories.
    public var workRoot: URL = URL(fileURLWithPath: NSTemporaryDirectory())
    /// Parent of the jobs' checkpoint directories (`mledger run`: `<datadir>/training-checkpoints`).
    public var checkpointRoot: URL = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mledger-training-checkpoints")
    /// Queue a job at once when a model naming a built-in trainer is registered (see `AutoStart`).
    public var autoStart = true
    /// How often the registry is looked at for models to auto-start.
    public var autoStartIntervalSeconds = 0.25
    /// The MLedger version recorded in trainer identities.
    public var mledgerVersion = "0.1.0"
    /// Lines of log kept per job (in the registry and in answers).
    public var logTailLines = 40

    public init() {}
}
