import Chain
import LedgerCrypto
import Foundation
import Primitives

/// Why a company account could not be created, found or unlocked. No case carries a key or
/// a passphrase.
public enum CompanyKeyringError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The company name is empty, too long or holds control characters.
    case invalidCompanyName(String)
    /// No account is registered for the company.
    case unknownCompany(String)
    /// The index names an account whose key file is not in the keystore directory.
    case missingKeyFile(company: String, address: Address)
    /// The index file exists but is not a JSON object of company → address list.
    case malformedIndex(path: String, reason: String)
    /// Reading, decrypting or writing a key file failed (wrong passphrase included).
    case keystore(KeystoreError)

    public var description: String {
        switch self {
        case .invalidCompanyName(let name): return "company name \"\(name)\" must be 1 to 128 printable characters"
        case .unknownCompany(let name): return "no account for company \"\(name)\""
        case let .missingKeyFile(company, address): return "company \"\(company)\": no key file for account \(address)"
        case let .malformedIndex(path, reason): return "company index \(path) is not valid: \(reason)"
        case .keystore(let error): return error.description
        }
    }
}

/// A decrypted account key held in memory. Its textual forms never show the key bytes.
public struct SigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The 32-byte secp256k1 private key.
    public let privateKey: [UInt8]
    /// The account address derived from the key.
    public let address: Address

    public init(privateKey: [UInt8], address: Address) {
        self.privateKey = privateKey
        self.address = address
    }

    /// The key of `privateKey`, its address derived; nil when the bytes are not a valid key.
    public init?(privateKey: [UInt8]) {
        guard let address = try? Secp256k1.address(ofPrivateKey: privateKey) else { return nil }
        self.init(privateKey: privateKey, address: address)
    }

    public var description: String { "SigningKey(address: \(address), key: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["address": address]) }
}

/// Company signing accounts: keystore v3 files under `DIR/keystore`, all encrypted with the
/// node passphrase, plus `DIR/keystore/companies.json` mapping each company to its account
/// addresses (the first one signs). Keys are decrypted at most once, on first use or by
/// `unlockAll()`, and kept in memory only; the keyring never prints them (`SigningKey`
/// redacts itself), and nothing here logs.
///
/// The REST services create a company's account on first use: the company comes from the
/// request (the body, until token authentication supplies it), and `signingAccount(company:
/// createIfMissing: true)` makes one under the same lock that reads the index, so two requests
/// for a new company never create two accounts.
public final class CompanyKeyring: @unchecked Sendable {
    public let dataDirectory: URL
    /// scrypt cost of new key files (`.standard` for nodes; tests use `.light`).
    public let cost: Keystore.ScryptCost
    private let passphrase: String
    private let lock = NSLock()
    private var index: [String: [Address]]
    private var unlocked: [Address: SigningKey] = [:]

    /// The directory holding the key files and the index.
    public var keystoreDirectory: URL { Self.keystoreDirectory(dataDirectory: dataDirectory) }
    public var indexFile: URL { Self.indexFile(dataDirectory: dataDirectory) }

    public static func keystoreDirectory(dataDirectory: URL) -> URL { dataDirectory.appendingPathComponent("keystore") }
    public static func indexFile(dataDirectory: URL) -> URL {
        keystoreDirectory(dataDirectory: dataDirectory).appendingPathComponent("companies.json")
    }

    /// Opens the keyring of a data directory (a missing index means no accounts yet). Nothing is
    /// decrypted here; a wrong passphrase shows at the first signature or at `unlockAll()`.
    public init(dataDirectory: URL, passphrase: String, cost: Keystore.ScryptCost = .standard) throws(CompanyKeyringError) {
        self.dataDirectory = dataDirectory
        self.passphrase = passphrase
        self.cost = cost
        index = try Self.readIndex(at: Self.indexFile(dataDirectory: dataDirectory))
    }

    /// Reads `companies.json` without a passphrase (for `mledger account list`).
    public static func readIndex(dataDirectory: URL) throws(CompanyKeyringError) -> [String: [Address]] {
        try readIndex(at: indexFile(dataDirectory: dataDirectory))
    }

    /// Companies and their addresses, sorted by company name.
    public var companies: [(company: String, addresses: [Address])] {
        lock.withLock { index.keys.sorted().map { ($0, index[$0] ?? []) } }
    }

    /// The signing account of `company` (its first account), nil if it has none.
    public func address(company: String) -> Address? {
        lock.withLock { index[company]?.first }
    }

    /// The company an address belongs to, if it is one of the keyring's accounts.
    public func company(of address: Address) -> String? {
        lock.withLock { index.first(where: { $0.value.contains(address) })?.key }
    }

    /// Creates a new account for `company` (an additional one if it has some): a fresh random
    /// key, written as a keystore v3 file, then the index rewritten atomically (write and rename).
    /// The new key stays unlocked in memory.
    @discardableResult
    public func createAccount(company: String) throws(CompanyKeyringError) -> (address: Address, keyFile: URL) {
        let name = try Self.validated(company: company)
        lock.lock()
        defer { lock.unlock() }
        return try createLocked(company: name)
    }

    /// The decrypted signing key of `company`; with `createIfMissing` a company without an
    /// account gets one first (the REST services' first-use rule).
    public func signingKey(company: String, createIfMissing: Bool = false) throws(CompanyKeyringError) -> SigningKey {
        let name = try Self.validated(company: company)
        lock.lock()
        defer { lock.unlock() }
        guard let address = index[name]?.first else {
            guard createIfMissing else { throw .unknownCompany(name) }
            let created = try createLocked(company: name)
            guard let key = unlocked[created.address] else { throw .missingKeyFile(company: name, address: created.address) }
            return key
        }
        return try unlockLocked(company: name, address: address)
    }

    /// Decrypts every account's key now (for a node that wants a wrong passphrase to fail at start).
    public func unlockAll() throws(CompanyKeyringError) {
        lock.lock()
        defer { lock.unlock() }
        for (company, addresses) in index {
            for address in addresses { _ = try unlockLocked(company: company, address: address) }
        }
    }

    // MARK: Under the lock

    private func createLocked(company: String) throws(CompanyKeyringError) -> (address: Address, keyFile: URL) {
        // Another process (`mledger account new`) may have written the index since it was read.
        var merged = try Self.readIndex(at: indexFile)
        for (name, addresses) in index {
            for address in addresses where !(merged[name] ?? []).contains(address) { merged[name, default: []].append(address) }
        }
        var created: (json: Data, address: Address, key: [UInt8])?
        // A random 32-byte string is a valid secp256k1 key with overwhelming probability.
        for _ in 0..<8 where created == nil {
            guard let key = try? SecureRandom.bytes(32) else { continue }
            if let (json, address) = try? Keystore.encrypt(privateKey: key, passphrase: passphrase, cost: cost) {
                created = (json, address, key)
            }
        }
        guard let created else { throw .keystore(.invalidPrivateKey) }
        let file: URL
        do {
            file = try Keystore.writeKeyFile(json: created.json, address: created.address, directory: keystoreDirectory)
        } catch { throw .keystore(error) }
        merged[company, default: []].append(created.address)
        try Self.writeIndex(merged, to: indexFile)
        index = merged
        unlocked[created.address] = SigningKey(privateKey: created.key, address: created.address)
        return (created.address, file)
    }

    private func unlockLocked(company: String, address: Address) throws(CompanyKeyringError) -> SigningKey {
        if let key = unlocked[address] { return key }
        guard let file = keyFile(of: address) else { throw .missingKeyFile(company: company, address: address) }
        let key: Keystore.DecryptedKey
        do { key = try Keystore.decrypt(fileAt: file, passphrase: passphrase) } catch { throw .keystore(error) }
        guard key.address == address else {
            throw .keystore(.addressMismatch(declared: Hex.encode(address.bytes, prefix: false),
                                             derived: Hex.encode(key.address.bytes, prefix: false)))
        }
        let signing = SigningKey(privateKey: key.privateKey, address: key.address)
        unlocked[address] = signing
        return signing
    }

    /// The key file of `address`: geth's naming puts the lower-case address after the last `--`.
    private func keyFile(of address: Address) -> URL? {
        let suffix = "--" + Hex.encode(address.bytes, prefix: false)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: keystoreDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted().last
            .map { keystoreDirectory.appendingPathComponent($0) }
    }

    // MARK: Index file

    static func validated(company: String) throws(CompanyKeyringError) -> String {
        let name = company.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= 128, !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .invalidCompanyName(company)
        }
        return name
    }

    static func readIndex(at url: URL) throws(CompanyKeyringError) -> [String: [Address]] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [:] }
        guard let raw = try? JSONValue(parsing: [UInt8](data)).objectValue else {
            throw .malformedIndex(path: url.path, reason: "expected an object of company → [address]")
        }
        var index: [String: [Address]] = [:]
        for (company, list) in raw {
            guard let texts = list.arrayValue else {
                throw .malformedIndex(path: url.path, reason: "expected an object of company → [address]")
            }
            var addresses: [Address] = []
            for item in texts {
                guard let text = item.stringValue else {
                    throw .malformedIndex(path: url.path, reason: "expected an object of company → [address]")
                }
                guard let address = try? Address(hex: text) else {
                    throw .malformedIndex(path: url.path, reason: "company \"\(company)\": \"\(text)\" is not an address")
                }
                addresses.append(address)
            }
            index[company] = addresses
        }
        return index
    }

    static func writeIndex(_ index: [String: [Address]], to url: URL) throws(CompanyKeyringError) {
        let document = JSONValue.object(index.mapValues { .array($0.map { .string($0.description) }) })
        do { try Keystore.writeAtomically(Data(document.prettyPrinted.utf8), to: url) } catch { throw .keystore(error) }
    }
}
