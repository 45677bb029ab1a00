import LedgerCrypto
import Primitives
import RLP

/// Why a header cannot be sealed or its seal does not check out.
public enum SealError: Error, Equatable, CustomStringConvertible {
    /// extraData must hold at least the 32 vanity bytes and the 65-byte seal.
    case extraDataTooShort(length: Int)
    case invalidPrivateKey
    /// The recovery id (last seal byte) must be 0 or 1.
    case invalidRecoveryId(UInt8)
    /// r and s must be in [1, n-1] and s at most n/2 (a high-s twin would give the same
    /// sealer a second block hash).
    case invalidSignatureValues
    case recoveryFailed
    case wrongSealer(expected: Address, got: Address)

    public var description: String {
        switch self {
        case .extraDataTooShort(let length):
            return "seal: extraData has \(length) bytes, needs at least \(Sealer.vanityLength + Sealer.sealLength)"
        case .invalidPrivateKey: return "seal: the sealer key is not a valid secp256k1 private key"
        case .invalidRecoveryId(let v): return "seal: recovery id \(v) is not 0 or 1"
        case .invalidSignatureValues: return "seal: signature r or s out of range"
        case .recoveryFailed: return "seal: no public key recovers from the seal"
        case let .wrongSealer(expected, got): return "seal: signed by \(got), expected \(expected)"
        }
    }
}

/// Single-member sealing in the Clique layout (EIP-225): the sealer signs Keccak-256 of the
/// header encoded with its extraData cut short by 65 bytes, and stores the signature
/// `r ‖ s ‖ v` (v in {0, 1}) in those last 65 bytes. Anyone holding the sealer's address can
/// check every header without trusting the node.
public enum Sealer {
    public static let vanityLength = 32
    public static let sealLength = 65

    /// extraData for a header about to be sealed: the vanity (cut or zero-padded to 32
    /// bytes) followed by 65 zero bytes for the seal.
    public static func extraData(vanity: [UInt8] = []) -> [UInt8] {
        let padded = Array(vanity.prefix(vanityLength)) + [UInt8](repeating: 0, count: vanityLength - min(vanity.count, vanityLength))
        return padded + [UInt8](repeating: 0, count: sealLength)
    }

    /// The message the sealer signs: the header's hash with the seal bytes left out.
    public static func sealHash(_ header: BlockHeader) throws(SealError) -> Hash32 {
        guard header.extraData.count >= vanityLength + sealLength else {
            throw .extraDataTooShort(length: header.extraData.count)
        }
        var unsealed = header
        unsealed.extraData.removeLast(sealLength)
        return Keccak256.hash(unsealed.encoded)
    }

    /// A copy of `header` with its last 65 extraData bytes replaced by the seal.
    public static func seal(_ header: BlockHeader, privateKey: [UInt8]) throws(SealError) -> BlockHeader {
        let message = try sealHash(header)
        let signature: RecoverableSignature
        do {
            signature = try Secp256k1.sign(hash: message, privateKey: privateKey)
        } catch {
            throw .invalidPrivateKey
        }
        var sealed = header
        sealed.extraData.replaceSubrange((header.extraData.count - sealLength)...,
                                         with: signature.r.bigEndianBytes + signature.s.bigEndianBytes
                                             + [UInt8(signature.recoveryId)])
        return sealed
    }

    /// The address whose key produced the header's seal.
    public static func recoverSealer(_ header: BlockHeader) throws(SealError) -> Address {
        let message = try sealHash(header)
        let seal = header.extraData.suffix(sealLength)
        let start = seal.startIndex
        let recoveryId = seal[start + 64]
        guard recoveryId <= 1 else { throw .invalidRecoveryId(recoveryId) }
        guard let r = try? UInt256(bigEndian: seal[start..<start + 32]),
              let s = try? UInt256(bigEndian: seal[(start + 32)..<(start + 64)]),
              !r.isZero, r < Secp256k1.order, !s.isZero, s <= Secp256k1.halfOrder else {
            throw .invalidSignatureValues
        }
        do {
            return try Secp256k1.recoverAddress(hash: message, signature: RecoverableSignature(
                r: r, s: s, recoveryId: Int(recoveryId)))
        } catch {
            throw .recoveryFailed
        }
    }

    /// Checks that `header` was sealed by `sealer`.
    public static func verify(_ header: BlockHeader, sealer: Address) throws(SealError) {
        let signer = try recoverSealer(header)
        guard signer == sealer else { throw .wrongSealer(expected: sealer, got: signer) }
    }
}
