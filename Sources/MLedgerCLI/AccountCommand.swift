import ArgumentParser
import Chain
import Foundation
import LedgerClient
import Primitives

/// `mledger account new|list`: company signing accounts as keystore v3 files under
/// `DIR/keystore`, encrypted with the node passphrase, plus a company → addresses index; both
/// are kept by `CompanyKeyring`, the same keyring the REST services sign with.
struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Manage company signing accounts (keystore v3).",
        subcommands: [NewAccount.self, ListAccounts.self])

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
            let passphrase = try readPassphrase(file: passphraseFile)
            do {
                let keyring = try CompanyKeyring(dataDirectory: URL(fileURLWithPath: datadir), passphrase: passphrase)
                let created = try keyring.createAccount(company: company)
                print("company \(company.trimmingCharacters(in: .whitespaces)): account \(created.address)")
                print("key file: \(created.keyFile.path)")
            } catch CompanyKeyringError.invalidCompanyName {
                throw ValidationError("--company must be 1 to 128 printable characters")
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }

    struct ListAccounts: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List company accounts.")

        @Option(help: "Data directory (keys in DIR/keystore).")
        var datadir: String = "."

        func run() throws {
            let directory = URL(fileURLWithPath: datadir)
            let index: [String: [Address]]
            do { index = try CompanyKeyring.readIndex(dataDirectory: directory) } catch { throw CommandFailure("\(error)") }
            if index.isEmpty { print("no accounts in \(CompanyKeyring.keystoreDirectory(dataDirectory: directory).path)") }
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
