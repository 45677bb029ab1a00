import LedgerCrypto
import Primitives

extension Transaction {
    /// Signs the transaction with the chain id it already carries (a legacy transaction
    /// without one gets an unprotected 27/28 signature). libsecp256k1 yields low-s signatures.
    public mutating func sign(privateKey: [UInt8]) throws(TransactionError) {
        let recoverable: RecoverableSignature
        do {
            recoverable = try Secp256k1.sign(hash: signingHash, privateKey: privateKey)
        } catch {
            throw .invalidPrivateKey
        }
        signature = TransactionSignature(yParity: UInt8(recoverable.recoveryId), r: recoverable.r, s: recoverable.s)
    }

    /// Sets the chain id (for legacy transactions: EIP-155 protection) and signs.
    public mutating func sign(privateKey: [UInt8], chainId: UInt64) throws(TransactionError) {
        switch payload {
        case .legacy(var t): t.chainId = chainId; payload = .legacy(t)
        case .accessList(var t): t.chainId = chainId; payload = .accessList(t)
        case .dynamicFee(var t): t.chainId = chainId; payload = .dynamicFee(t)
        case .blob(var t): t.chainId = chainId; payload = .blob(t)
        }
        try sign(privateKey: privateKey)
    }

    /// A signed copy.
    public func signed(privateKey: [UInt8]) throws(TransactionError) -> Transaction {
        var copy = self
        try copy.sign(privateKey: privateKey)
        return copy
    }

    /// Signature value ranges: yParity 0 or 1, r and s in [1, n-1], and s at most n/2
    /// (EIP-2: the high-s twin of every signature is refused so that hashes are not malleable).
    public func validateSignatureValues() throws(TransactionError) {
        guard signature.yParity <= 1 else { throw .invalidYParity(hex: Hex.encode([signature.yParity])) }
        guard !signature.r.isZero, signature.r < Secp256k1.order else { throw .invalidSignatureR }
        guard !signature.s.isZero, signature.s < Secp256k1.order else { throw .invalidSignatureS }
        guard signature.s <= Secp256k1.halfOrder else { throw .highSignatureS }
    }

    /// The address whose key signed this transaction, after checking the signature values.
    public func sender() throws(TransactionError) -> Address {
        try validateSignatureValues()
        let recoverable = RecoverableSignature(r: signature.r, s: signature.s, recoveryId: Int(signature.yParity))
        do {
            return try Secp256k1.recoverAddress(hash: signingHash, signature: recoverable)
        } catch {
            throw .recoveryFailed
        }
    }
}
