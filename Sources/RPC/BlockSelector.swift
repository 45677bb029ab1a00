import Primitives

/// A named or numbered block, as JSON-RPC block parameters name them.
public enum BlockTag: Equatable, Sendable {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)
}

/// Which block a state or block query is about: a tag or number, or a hash (EIP-1898
/// `{"blockHash": ..., "requireCanonical": ...}`).
public enum BlockSelector: Equatable, Sendable {
    case tag(BlockTag)
    case hash(Hash32, requireCanonical: Bool)

    public static let latest = BlockSelector.tag(.latest)
}
