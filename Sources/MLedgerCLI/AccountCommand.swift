import ArgumentParser
import Chain
import Crypto
import Foundation
import Primitives

/// `mledger account new|list`: company signing accounts as keystore v3 files under
/// `DIR/keystore`, encrypted with the node passphrase, plus a company → addresses index.
struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Manage company signing accounts (keystore v3).",
        subcommands: [NewAccount.self, ListAccounts.self])

    /// The index file mapping each company to its account addresses.
    static func indexURL(datadir: String) -> URL {
        keystoreURL(datadir: datadir).appendingPathComponent("companies.json")
    }

    static func keystoreURL(datadir: String) -> URL {
        URL(fileURLWithPath: datadir).appendingPathComponent("keystore")
    }

    static func readIndex(datadir: String) throws -> [String: [String]] {
        guard let data = FileManager.default.contents(atPath: indexURL(datadir: datadir).path) else { return [:] }
        do {
            return try JSONDecoder().decode([String: [String]].self, from: data)
        } catch {
            throw CommandFailure("company index \(indexURL(datadir: datadir).path) is not valid JSON: \(error)")
        }
    }

    struct NewAccount: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Create a company account. The passphrase comes from MLEDGER_PASSPHRASE or --passphrase-file.")

        @Option(help: "Company that owns the account.")
        var company: String

        @Option(help: "Data directory (keys go to DIR/keystore).")
        var datadir: String = "."

        @Option(help: "File whose first line is the node passphrase (instead of MLEDGER_PASSPHRASE).")
        var passphraseFile: String?

        func run() throws {
            let name = company.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.count <= 128, !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw ValidationError("--company must be 1 to 128 printable characters")
            }
            let passphrase = try readPassphrase(file: passphraseFile)
            var attempts = 0
            var encrypted: (json: Data, address: Address)?
            // A random 32-byte string is a valid secp256k1 key with overwhelming probability.
            while encrypted == nil && attempts < 8 {
                attempts += 1
                let key = try SecureRandom.bytes(32)
                encrypted = try? Keystore.encrypt(privateKey: key, passphrase: passphrase)
            }
            guard let (json, address) = encrypted else { throw CommandFailure("could not generate a key") }
            let directory = AccountCommand.keystoreURL(datadir: datadir)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let file = try Keystore.writeKeyFile(json: json, address: address, directory: directory)
            var index = try AccountCommand.readIndex(datadir: datadir)
            index[name, default: []].append(address.description)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Keystore.writeAtomically(try encoder.encode(index), to: AccountCommand.indexURL(datadir: datadir))
            print("company \(name): account \(address)")
            print("key file: \(file.path)")
        }
    }

    struct ListAccounts: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List company accounts.")

        @Option(help: "Data directory (keys in DIR/keystore).")
        var datadir: String = "."

        func run() throws {
            let index = try AccountCommand.readIndex(datadir: datadir)
            if index.isEmpty { print("no accounts in \(AccountCommand.keystoreURL(datadir: datadir).path)") }
            for company in index.keys.sorted() {
                for address in index[company] ?? [] { print("\(company)\t\(address)") }
            }
        }
    }
}

/// The node passphrase: from `file` (first line) or the MLEDGER_PASSPHRASE environment
/// variable; never from a command-line value, which other users could read in the process list.
func readPassphrase(file: String?) throws -> String {
    if let file {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("cannot read passphrase file \(file)")
        }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !line.isEmpty else { throw CommandFailure("passphrase file \(file) is empty") }
        return line
    }
    guard let value = ProcessInfo.processInfo.environment["MLEDGER_PASSPHRASE"], !value.isEmpty else {
        throw CommandFailure("no passphrase: set MLEDGER_PASSPHRASE or pass --passphrase-file FILE")
    }
    return value
}
