import LedgerCrypto
import Primitives

/// The accounts of `genesis/dev.json`. DEVELOPMENT ONLY: every private key here is public,
/// derived as Keccak-256 of a fixed phrase, so that tools, tests and tutorials can sign
/// without a keystore. Never fund these addresses on a chain that matters.
public enum DevelopmentAccounts {
    /// Phrase of the dev chain's sealer key.
    public static let sealerPhrase = "mledger dev sealer"
    /// Phrases of the funded dev accounts, in `genesis/dev.json` order.
    public static let accountPhrases = (1...4).map { "mledger dev account \($0)" }

    /// The public test key of a phrase: Keccak-256 of its UTF-8 bytes.
    public static func privateKey(phrase: String) -> [UInt8] { Keccak256.hash(Array(phrase.utf8)).bytes }

    public static var sealerKey: [UInt8] { privateKey(phrase: sealerPhrase) }
    public static var accountKeys: [[UInt8]] { accountPhrases.map(privateKey(phrase:)) }

    /// Addresses of the dev accounts (not the sealer), in order.
    public static var accountAddresses: [Address] {
        get throws(Secp256k1Error) {
            var addresses = [Address]()
            for key in accountKeys { addresses.append(try Secp256k1.address(ofPrivateKey: key)) }
            return addresses
        }
    }

    public static var sealerAddress: Address {
        get throws(Secp256k1Error) { try Secp256k1.address(ofPrivateKey: sealerKey) }
    }
}
