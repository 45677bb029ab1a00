import ArgumentParser

/// The `mledger` program: one binary for the node, its services and the operator tools.
@main
struct MLedgerCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "mledger",
        abstract: "MLedger: a private, gas-free Ethereum-compatible ledger for trustworthy ML on IoT data.",
        version: version,
        subcommands: [
            KeccakCommand.self,
            StateTestCommand.self,
            TrainCommand.self,
            PredictCommand.self,
            InitCommand.self, RunCommand.self, AccountCommand.self, VerifyChainCommand.self,
            AuditCommand.self,
            ExplainCommand.self, DiagnosticsCommand.self, PlotCommand.self,   // analysis libraries
            TranslateCommand.self, ImportCommand.self,  // ONNX translation
            ReproduceCommand.self,
            TokenCommand.self,  // auth (dev issuer tokens)
            SimulateCommand.self,  // streams: replays an hourly series as three-phase readings
            OnlineLearningCommand.self,  // online learning: `ol report`
        ]
    )
}
