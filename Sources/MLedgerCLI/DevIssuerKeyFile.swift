import Auth
import Chain
import Foundation

/// The dev issuer's key in the data directory: `<datadir>/auth/dev-issuer.json`, the P-256
/// scalar encrypted under the node passphrase in the keystore v3 format of the company keys
/// (scrypt, AES-128-CTR, Keccak MAC; its `address` field means nothing here), mode 0600,
/// written to a temporary file and renamed so that a crash leaves no half-written key.
enum DevIssuerKeyFile {
    static func path(dataDirectory: String) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("auth/dev-issuer.json").path
    }

    /// The issuer whose key the file holds; created on first use when `create` is set.
    static func load(dataDirectory: String, passphrase: String, create: Bool, cost: Keystore.ScryptCost) throws -> DevIssuer {
        let file = path(dataDirectory: dataDirectory)
        if FileManager.default.fileExists(atPath: file) {
            do {
                let key = try Keystore.decrypt(fileAt: URL(fileURLWithPath: file), passphrase: passphrase)
                return try DevIssuer(rawPrivateKey: key.privateKey)
            } catch {
                throw CommandFailure("dev issuer key \(file): \(error)")
            }
        }
        guard create else { throw CommandFailure("no dev issuer key at \(file): start the node once with --auth dev") }
        // A P-256 scalar is below the secp256k1 order too, so the keystore format takes it as is.
        var generated = DevIssuer.generate()
        var encrypted = try? Keystore.encrypt(privateKey: generated.rawPrivateKey, passphrase: passphrase, cost: cost)
        for _ in 0..<3 where encrypted == nil {
            generated = DevIssuer.generate()
            encrypted = try? Keystore.encrypt(privateKey: generated.rawPrivateKey, passphrase: passphrase, cost: cost)
        }
        guard let json = encrypted?.json else { throw CommandFailure("cannot encrypt the dev issuer key") }
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let temporary = file + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: json, attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("cannot write \(temporary)")
        }
        guard rename(temporary, file) == 0 else { throw CommandFailure("cannot rename \(temporary) to \(file)") }
        return generated.issuer
    }
}
