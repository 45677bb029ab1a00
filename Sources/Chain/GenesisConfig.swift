import Primitives

/// Forks that a genesis `config` activates at a block number, named by their JSON keys.
public enum BlockActivatedFork: String, CaseIterable, Sendable {
    case homesteadBlock, eip150Block, eip155Block, eip158Block, byzantiumBlock, constantinopleBlock
    case petersburgBlock, istanbulBlock, muirGlacierBlock, berlinBlock, londonBlock
    case arrowGlacierBlock, grayGlacierBlock, mergeNetsplitBlock
}

/// Forks that a genesis `config` activates at a timestamp (after the merge), by JSON key.
public enum TimeActivatedFork: String, CaseIterable, Sendable {
    case shanghaiTime, cancunTime, pragueTime, osakaTime
}

/// The `config` object of a genesis document: chain id and fork activation points.
/// Unknown keys are ignored, as other Ethereum nodes do, so richer files still load.
public struct ChainConfig: Equatable, Sendable {
    public var chainId: UInt64
    public var blockForks: [BlockActivatedFork: UInt64]
    public var timeForks: [TimeActivatedFork: UInt64]
    /// Set for chains that went through (or start after) the proof-of-stake merge.
    public var terminalTotalDifficulty: UInt256?
    /// Clique's `period` (seconds between blocks) and `epoch`, when the chain declares them.
    public var cliquePeriod: UInt64?
    public var cliqueEpoch: UInt64?

    public init(chainId: UInt64, blockForks: [BlockActivatedFork: UInt64] = [:],
                timeForks: [TimeActivatedFork: UInt64] = [:], terminalTotalDifficulty: UInt256? = nil,
                cliquePeriod: UInt64? = nil, cliqueEpoch: UInt64? = nil) {
        self.chainId = chainId; self.blockForks = blockForks; self.timeForks = timeForks
        self.terminalTotalDifficulty = terminalTotalDifficulty
        self.cliquePeriod = cliquePeriod; self.cliqueEpoch = cliqueEpoch
    }

    /// Whether `fork` is active at this block number.
    public func isActive(_ fork: BlockActivatedFork, atBlock number: UInt64) -> Bool {
        guard let activation = blockForks[fork] else { return false }
        return number >= activation
    }

    /// Whether `fork` is active at this block timestamp.
    public func isActive(_ fork: TimeActivatedFork, atTime timestamp: UInt64) -> Bool {
        guard let activation = timeForks[fork] else { return false }
        return timestamp >= activation
    }

    /// London (EIP-1559 base fee in the header).
    public func isLondon(atBlock number: UInt64) -> Bool { isActive(.londonBlock, atBlock: number) }
    /// Shanghai (EIP-4895 withdrawals root in the header).
    public func isShanghai(atBlock number: UInt64, time: UInt64) -> Bool {
        isLondon(atBlock: number) && isActive(.shanghaiTime, atTime: time)
    }
    /// Cancun (EIP-4844 blob gas fields, EIP-4788 parent beacon root in the header).
    public func isCancun(atBlock number: UInt64, time: UInt64) -> Bool {
        isShanghai(atBlock: number, time: time) && isActive(.cancunTime, atTime: time)
    }

    /// MLedger executes only the Cancun rules, so every fork up to Cancun must be active from
    /// block 0 (forks after Cancun must be absent: they would change the rules later on).
    public func requireCancunFromGenesis() throws(GenesisError) {
        let required: [BlockActivatedFork] = [.homesteadBlock, .eip150Block, .eip155Block, .eip158Block,
                                              .byzantiumBlock, .constantinopleBlock, .petersburgBlock,
                                              .istanbulBlock, .berlinBlock, .londonBlock]
        for fork in required where blockForks[fork] != 0 {
            throw .forkNotActiveAtGenesis(field: fork.rawValue)
        }
        for fork in [TimeActivatedFork.shanghaiTime, .cancunTime] where timeForks[fork] != 0 {
            throw .forkNotActiveAtGenesis(field: fork.rawValue)
        }
        for fork in [TimeActivatedFork.pragueTime, .osakaTime] where timeForks[fork] != nil {
            throw .invalidValue(field: "config.\(fork.rawValue)", reason: "forks after Cancun are not supported")
        }
    }
}
