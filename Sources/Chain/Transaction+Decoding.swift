import Primitives
import RLP

extension Transaction {
    /// Decodes the consensus encoding strictly: canonical RLP, minimal integers within their
    /// bounds, exact field counts, 20-byte addresses, a known type byte, and a legacy
    /// transaction only as an RLP list. Anything accepted re-encodes to the same bytes.
    /// Chain id, signature ranges and gas rules are checked by `validate(chainId:rules:)`.
    public init<C: Collection>(encoded bytes: C) throws(TransactionError) where C.Element == UInt8 {
        let input = Array(bytes)
        guard let first = input.first else { throw .emptyInput }
        switch first {
        case 0xc0...0xff:
            self = try Self.decodeLegacy(Self.decodeFields(input, legacy: true))
        case 0x00...0x7f:
            guard let type = TransactionType(rawValue: first), type != .legacy else { throw .unknownType(first) }
            let fields = try Self.decodeFields(input.dropFirst(), legacy: false)
            switch type {
            case .legacy: throw .unknownType(first)
            case .accessList: self = try Self.decodeAccessList(fields)
            case .dynamicFee: self = try Self.decodeDynamicFee(fields)
            case .blob: self = try Self.decodeBlob(fields)
            }
        default:
            // 0x80...0xbf starts an RLP byte string: neither an envelope nor a legacy list.
            throw .legacyNotAList
        }
    }

    /// Decodes one item of a block body's transaction list (see `blockBodyItemEncoding`).
    public init(blockBodyItem item: RLPItem) throws(TransactionError) {
        switch item {
        case .list:
            try self.init(encoded: RLP.encode(item))
        case .bytes(let envelope):
            // A typed envelope only; a legacy list wrapped in a byte string is not canonical.
            guard let first = envelope.first, first <= 0x7f else { throw .payloadNotAList }
            try self.init(encoded: envelope)
        }
    }

    private static func decodeFields<C: Collection>(_ bytes: C, legacy: Bool) throws(TransactionError) -> [RLPItem]
    where C.Element == UInt8 {
        let item: RLPItem
        do {
            item = try RLP.decode(bytes)
        } catch {
            throw .malformedRLP(error)
        }
        guard case .list(let fields) = item else { throw legacy ? .legacyNotAList : .payloadNotAList }
        return fields
    }

    private static func expectCount(_ fields: [RLPItem], _ expected: Int) throws(TransactionError) {
        guard fields.count == expected else { throw .wrongFieldCount(expected: expected, got: fields.count) }
    }

    private static func decodeLegacy(_ f: [RLPItem]) throws(TransactionError) -> Transaction {
        try expectCount(f, 9)
        let (chainId, yParity) = try FieldDecoder.legacyV(f[6])
        let body = LegacyTransaction(
            chainId: chainId, nonce: try FieldDecoder.uint64(f[0], .nonce),
            gasPrice: try FieldDecoder.uint256(f[1], .gasPrice), gasLimit: try FieldDecoder.uint64(f[2], .gasLimit),
            to: try FieldDecoder.recipient(f[3]), value: try FieldDecoder.uint256(f[4], .value),
            data: try FieldDecoder.bytes(f[5], .data))
        return Transaction(.legacy(body), signature: try FieldDecoder.signature(yParity: yParity, r: f[7], s: f[8]))
    }

    private static func decodeAccessList(_ f: [RLPItem]) throws(TransactionError) -> Transaction {
        try expectCount(f, 11)
        let body = AccessListTransaction(
            chainId: try FieldDecoder.uint64(f[0], .chainId), nonce: try FieldDecoder.uint64(f[1], .nonce),
            gasPrice: try FieldDecoder.uint256(f[2], .gasPrice), gasLimit: try FieldDecoder.uint64(f[3], .gasLimit),
            to: try FieldDecoder.recipient(f[4]), value: try FieldDecoder.uint256(f[5], .value),
            data: try FieldDecoder.bytes(f[6], .data), accessList: try AccessListCoding.decode(f[7]))
        return Transaction(.accessList(body), signature: try FieldDecoder.typedSignature(f[8], f[9], f[10]))
    }

    private static func decodeDynamicFee(_ f: [RLPItem]) throws(TransactionError) -> Transaction {
        try expectCount(f, 12)
        let body = DynamicFeeTransaction(
            chainId: try FieldDecoder.uint64(f[0], .chainId), nonce: try FieldDecoder.uint64(f[1], .nonce),
            maxPriorityFeePerGas: try FieldDecoder.uint256(f[2], .maxPriorityFeePerGas),
            maxFeePerGas: try FieldDecoder.uint256(f[3], .maxFeePerGas),
            gasLimit: try FieldDecoder.uint64(f[4], .gasLimit), to: try FieldDecoder.recipient(f[5]),
            value: try FieldDecoder.uint256(f[6], .value), data: try FieldDecoder.bytes(f[7], .data),
            accessList: try AccessListCoding.decode(f[8]))
        return Transaction(.dynamicFee(body), signature: try FieldDecoder.typedSignature(f[9], f[10], f[11]))
    }

    private static func decodeBlob(_ f: [RLPItem]) throws(TransactionError) -> Transaction {
        try expectCount(f, 14)
        guard let to = try FieldDecoder.recipient(f[5]) else { throw .missingRecipient }
        guard case .list(let hashItems) = f[10] else { throw .fieldIsNotList(.blobVersionedHashes) }
        var hashes = [Hash32]()
        hashes.reserveCapacity(hashItems.count)
        for item in hashItems {
            let bytes = try FieldDecoder.bytes(item, .blobVersionedHashes)
            guard bytes.count == 32, let hash = try? Hash32(bytes: bytes) else {
                throw .wrongBlobHashLength(got: bytes.count)
            }
            hashes.append(hash)
        }
        let body = BlobTransaction(
            chainId: try FieldDecoder.uint64(f[0], .chainId), nonce: try FieldDecoder.uint64(f[1], .nonce),
            maxPriorityFeePerGas: try FieldDecoder.uint256(f[2], .maxPriorityFeePerGas),
            maxFeePerGas: try FieldDecoder.uint256(f[3], .maxFeePerGas),
            gasLimit: try FieldDecoder.uint64(f[4], .gasLimit), to: to,
            value: try FieldDecoder.uint256(f[6], .value), data: try FieldDecoder.bytes(f[7], .data),
            accessList: try AccessListCoding.decode(f[8]),
            maxFeePerBlobGas: try FieldDecoder.uint256(f[9], .maxFeePerBlobGas), blobVersionedHashes: hashes)
        return Transaction(.blob(body), signature: try FieldDecoder.typedSignature(f[11], f[12], f[13]))
    }
}

/// Strict readers for individual transaction fields.
private enum FieldDecoder {
    static func bytes(_ item: RLPItem, _ field: TransactionField) throws(TransactionError) -> [UInt8] {
        guard case .bytes(let b) = item else { throw .fieldIsList(field) }
        return b
    }

    /// Minimal big-endian integer bytes: no leading zero (zero is the empty string).
    static func integerBytes(_ item: RLPItem, _ field: TransactionField) throws(TransactionError) -> [UInt8] {
        let b = try bytes(item, field)
        if b.first == 0 { throw .integerLeadingZero(field) }
        return b
    }

    static func uint64(_ item: RLPItem, _ field: TransactionField) throws(TransactionError) -> UInt64 {
        let b = try integerBytes(item, field)
        guard b.count <= 8 else { throw .integerTooLarge(field, maxBytes: 8) }
        return b.reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func uint256(_ item: RLPItem, _ field: TransactionField) throws(TransactionError) -> UInt256 {
        let b = try integerBytes(item, field)
        guard b.count <= 32, let value = try? UInt256(bigEndian: b) else {
            throw .integerTooLarge(field, maxBytes: 32)
        }
        return value
    }

    /// Empty means contract creation; otherwise exactly 20 bytes.
    static func recipient(_ item: RLPItem) throws(TransactionError) -> Address? {
        let b = try bytes(item, .to)
        if b.isEmpty { return nil }
        guard b.count == 20, let address = try? Address(bytes: b) else {
            throw .wrongAddressLength(.to, got: b.count)
        }
        return address
    }

    /// Legacy `v`: 27/28 (no chain id) or `chainId * 2 + 35/36` (EIP-155), within 64 bits.
    static func legacyV(_ item: RLPItem) throws(TransactionError) -> (chainId: UInt64?, yParity: UInt8) {
        let b = try integerBytes(item, .v)
        guard b.count <= 8 else { throw .invalidLegacyV(hex: Hex.encode(b)) }
        let v = b.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        switch v {
        case 27, 28: return (nil, UInt8(v - 27))
        case 35...: return ((v - 35) / 2, UInt8((v - 35) % 2))
        default: throw .invalidLegacyV(hex: Hex.encode(b))
        }
    }

    /// r and s beyond 32 bytes cannot be curve scalars; range checks come in validation.
    static func signature(yParity: UInt8, r: RLPItem, s: RLPItem) throws(TransactionError) -> TransactionSignature {
        let rBytes = try integerBytes(r, .r)
        guard rBytes.count <= 32, let rValue = try? UInt256(bigEndian: rBytes) else { throw .invalidSignatureR }
        let sBytes = try integerBytes(s, .s)
        guard sBytes.count <= 32, let sValue = try? UInt256(bigEndian: sBytes) else { throw .invalidSignatureS }
        return TransactionSignature(yParity: yParity, r: rValue, s: sValue)
    }

    static func typedSignature(_ v: RLPItem, _ r: RLPItem, _ s: RLPItem) throws(TransactionError) -> TransactionSignature {
        let b = try integerBytes(v, .yParity)
        let yParity: UInt8
        switch b {
        case []: yParity = 0
        case [1]: yParity = 1
        default: throw .invalidYParity(hex: Hex.encode(b))
        }
        return try signature(yParity: yParity, r: r, s: s)
    }
}
