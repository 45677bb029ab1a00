import Primitives

/// The key schema of the chain database. One byte names the kind of record; the rest is the
/// hash or big-endian number it is found by, so records of one kind sort together.
///
/// | key                     | value                                        |
/// |-------------------------|----------------------------------------------|
/// | `h` ‖ block hash        | header RLP                                   |
/// | `b` ‖ block hash        | body RLP `[transactions, ommers, withdrawals]` |
/// | `r` ‖ block hash        | receipts, one RLP list                       |
/// | `H` ‖ block hash        | block number, 8 bytes big-endian             |
/// | `n` ‖ number (8 bytes)  | canonical block hash                         |
/// | `l` ‖ transaction hash  | block hash ‖ block number (8) ‖ index (4)    |
/// | `s` ‖ Keccak-256(bytes) | state trie node or contract code             |
/// | `m` ‖ `head`            | hash of the newest committed block           |
/// | `m` ‖ `genesis`         | hash of block 0                              |
/// | `m` ‖ `genesis-json`    | the genesis document the chain was made from |
public enum ChainDatabaseKey {
    public static let headerPrefix = UInt8(ascii: "h")
    public static let bodyPrefix = UInt8(ascii: "b")
    public static let receiptsPrefix = UInt8(ascii: "r")
    public static let blockNumberPrefix = UInt8(ascii: "H")
    public static let canonicalPrefix = UInt8(ascii: "n")
    public static let transactionLookupPrefix = UInt8(ascii: "l")
    public static let statePrefix = UInt8(ascii: "s")
    public static let head = Array("mhead".utf8)
    public static let genesis = Array("mgenesis".utf8)
    public static let genesisDocument = Array("mgenesis-json".utf8)

    public static func header(_ hash: Hash32) -> [UInt8] { [headerPrefix] + hash.bytes }
    public static func body(_ hash: Hash32) -> [UInt8] { [bodyPrefix] + hash.bytes }
    public static func receipts(_ hash: Hash32) -> [UInt8] { [receiptsPrefix] + hash.bytes }
    public static func blockNumber(_ hash: Hash32) -> [UInt8] { [blockNumberPrefix] + hash.bytes }
    public static func canonicalHash(_ number: UInt64) -> [UInt8] { [canonicalPrefix] + bigEndian(number) }
    public static func transactionLookup(_ hash: Hash32) -> [UInt8] { [transactionLookupPrefix] + hash.bytes }
    public static func stateNode(_ hash: Hash32) -> [UInt8] { [statePrefix] + hash.bytes }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }

    static func uint64(bigEndian bytes: ArraySlice<UInt8>) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
}
