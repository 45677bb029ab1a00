import Chain
import LedgerCrypto
import Foundation
import LedgerClient
import Primitives
import Testing

/// The company keyring: key files and index on disk, lazy unlocking, first-use creation, and
/// that no textual form shows a key.
@Suite struct CompanyKeyringTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-keyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func createdAccountsSurviveReopeningAndDecryptToTheirAddress() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyring = try CompanyKeyring(dataDirectory: dir, passphrase: "pass one", cost: .light)
        let acme = try keyring.createAccount(company: "Acme")
        let second = try keyring.createAccount(company: "Acme")
        let globex = try keyring.createAccount(company: "Globex")
        #expect(acme.address != second.address)
        #expect(FileManager.default.fileExists(atPath: acme.keyFile.path))

        let index = try CompanyKeyring.readIndex(dataDirectory: dir)
        #expect(index["Acme"] == [acme.address, second.address])
        #expect(index["Globex"] == [globex.address])

        let reopened = try CompanyKeyring(dataDirectory: dir, passphrase: "pass one", cost: .light)
        #expect(reopened.address(company: "Acme") == acme.address)
        #expect(reopened.company(of: globex.address) == "Globex")
        let key = try reopened.signingKey(company: "Globex")
        #expect(key.address == globex.address)
        #expect(try Secp256k1.address(ofPrivateKey: key.privateKey) == globex.address)
        // The key file is a standard keystore v3 document under the node passphrase.
        let decrypted = try Keystore.decrypt(fileAt: globex.keyFile, passphrase: "pass one")
        #expect(decrypted.privateKey == key.privateKey)
    }

    @Test func wrongPassphraseFailsAtUnlockNotAtOpen() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try CompanyKeyring(dataDirectory: dir, passphrase: "right", cost: .light).createAccount(company: "Acme")
        let wrong = try CompanyKeyring(dataDirectory: dir, passphrase: "wrong", cost: .light)
        #expect(throws: CompanyKeyringError.keystore(.wrongPassphrase)) { try wrong.unlockAll() }
        #expect(throws: CompanyKeyringError.keystore(.wrongPassphrase)) { try wrong.signingKey(company: "Acme") }
    }

    @Test func unknownAndInvalidCompaniesAreTypedErrors() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyring = try CompanyKeyring(dataDirectory: dir, passphrase: "p", cost: .light)
        #expect(throws: CompanyKeyringError.unknownCompany("Nobody")) { try keyring.signingKey(company: "Nobody") }
        #expect(throws: CompanyKeyringError.invalidCompanyName("  ")) { try keyring.createAccount(company: "  ") }
        #expect(throws: CompanyKeyringError.invalidCompanyName("a\u{1}b")) { try keyring.createAccount(company: "a\u{1}b") }
        let long = String(repeating: "x", count: 129)
        #expect(throws: CompanyKeyringError.invalidCompanyName(long)) { try keyring.createAccount(company: long) }
    }

    @Test func malformedIndexIsReportedNotIgnored() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = CompanyKeyring.indexFile(dataDirectory: dir)
        try FileManager.default.createDirectory(at: index.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(#"{"Acme": ["not an address"]}"#.utf8).write(to: index)
        #expect {
            _ = try CompanyKeyring(dataDirectory: dir, passphrase: "p", cost: .light)
        } throws: { error in
            guard case .malformedIndex(_, let reason)? = error as? CompanyKeyringError else { return false }
            return reason.contains("not an address")
        }
    }

    @Test func firstUseCreatesOneAccountEvenUnderConcurrentRequests() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyring = try CompanyKeyring(dataDirectory: dir, passphrase: "p", cost: .light)
        let addresses = try await withThrowingTaskGroup(of: Address.self) { group in
            for _ in 0..<8 { group.addTask { try keyring.signingKey(company: "Initech", createIfMissing: true).address } }
            return try await group.reduce(into: Set<Address>()) { $0.insert($1) }
        }
        #expect(addresses.count == 1)
        #expect(try CompanyKeyring.readIndex(dataDirectory: dir)["Initech"]?.count == 1)
    }

    @Test func accountsAddedByAnotherProcessAreKeptWhenTheIndexIsRewritten() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let service = try CompanyKeyring(dataDirectory: dir, passphrase: "p", cost: .light)
        // Another keyring (as `mledger account new` would be) writes after the service opened.
        let cli = try CompanyKeyring(dataDirectory: dir, passphrase: "p", cost: .light)
        let fromCLI = try cli.createAccount(company: "Umbrella")
        let fromService = try service.createAccount(company: "Hooli")
        let index = try CompanyKeyring.readIndex(dataDirectory: dir)
        #expect(index["Umbrella"] == [fromCLI.address])
        #expect(index["Hooli"] == [fromService.address])
    }

    @Test func signingKeyNeverShowsTheKeyBytes() throws {
        let privateKey = DevelopmentAccounts.accountKeys[0]
        let key = try #require(SigningKey(privateKey: privateKey))
        let hex = Hex.encode(privateKey, prefix: false)
        for text in [key.description, key.debugDescription, "\(key)", String(reflecting: key), "\(Mirror(reflecting: key).children.map(\.value))"] {
            #expect(!text.contains(hex))
            #expect(!text.lowercased().contains(hex.prefix(16)))
        }
        #expect(key.description.contains("redacted"))
        #expect(SigningKey(privateKey: [UInt8](repeating: 0, count: 32)) == nil)
    }
}
