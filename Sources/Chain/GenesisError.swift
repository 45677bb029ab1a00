/// Why a genesis document was refused. Every case names the field at fault with its JSON
/// path (for example `alloc.0x71c7….balance` or `config.chainId`).
public enum GenesisError: Error, Equatable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    /// Not JSON at all; `offset` is the byte position of the problem.
    case invalidJSON(offset: Int, reason: String)
    case missingField(String)
    case wrongType(field: String, expected: String, got: String)
    case invalidValue(field: String, reason: String)
    /// MLedger runs the Cancun rules from block 0, so every fork must be active at genesis.
    case forkNotActiveAtGenesis(field: String)
    /// Clique extraData is 32 vanity bytes, signer addresses (20 bytes each), 65 seal bytes.
    case invalidCliqueExtraData(length: Int)
    case noSealerInExtraData

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "genesis: cannot read \(path): \(reason)"
        case let .invalidJSON(offset, reason): return "genesis: invalid JSON at byte \(offset): \(reason)"
        case .missingField(let field): return "genesis: missing field \(field)"
        case let .wrongType(field, expected, got): return "genesis: field \(field) must be \(expected), got \(got)"
        case let .invalidValue(field, reason): return "genesis: field \(field) is invalid: \(reason)"
        case .forkNotActiveAtGenesis(let field):
            return "genesis: config.\(field) must be 0: MLedger applies the Cancun rules from the first block"
        case .invalidCliqueExtraData(let length):
            return "genesis: extraData of \(length) bytes is not 32 vanity bytes + 20-byte signers + 65 seal bytes"
        case .noSealerInExtraData: return "genesis: extraData names no sealer address"
        }
    }
}
