import ArgumentParser
import Auth
import Foundation

/// `mledger token issue`: a bearer token from the node's own dev issuer (`--auth dev`).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Bearer tokens of the dev issuer (`run --auth dev`).",
        subcommands: [Issue.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a signed token for a developer of a company (key: <datadir>/auth/dev-issuer.json).")

        @Option(help: "Data directory of a node run with --auth dev.")
        var datadir: String

        @Option(help: "The company (organization) the token speaks for.")
        var company: String

        @Option(help: "The developer (sub).")
        var developer: String

        @Option(help: "mlaas-developer (default), mlaas-auditor or mlaas-admin; repeatable.")
        var role: [String] = []

        @Option(help: "Lifetime: seconds, or with a unit s, m, h, d (e.g. 1h).")
        var ttl: String = "1h"

        @Option(name: .customLong("passphrase-file"), help: "File whose first line is the node passphrase (else MLEDGER_PASSPHRASE).")
        var passphraseFile: String?

        func run() async throws {
            guard let seconds = Self.seconds(ttl), seconds > 0, seconds <= 366 * 86_400 else {
                throw ValidationError("--ttl must be a positive duration up to 366d, like 3600, 30m, 1h or 7d")
            }
            var roles: [AccessRole] = []
            for name in role.isEmpty ? [AccessRole.developer.rawValue] : role {
                guard let known = AccessRole(rawValue: name) ?? AccessRole(rawValue: "mlaas-" + name) else {
                    throw ValidationError("--role \(name): expected mlaas-developer, mlaas-auditor or mlaas-admin")
                }
                roles.append(known)
            }
            let issuer = try DevIssuerKeyFile.load(dataDirectory: datadir, passphrase: try passphrase(), create: false, cost: .light)
            print(try await issuer.issue(company: company, developer: developer, roles: roles, ttl: seconds))
        }

        /// The node passphrase; a throw-away `--dev` chain's key opens with the public dev one.
        func passphrase() throws -> String {
            if passphraseFile != nil || ProcessInfo.processInfo.environment["MLEDGER_PASSPHRASE"] != nil {
                return try readPassphrase(file: passphraseFile)
            }
            return "mledger dev"
        }

        static func seconds(_ text: String) -> Double? {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
            if let last = text.last, let unit = units[last] { return Double(text.dropLast()).map { $0 * unit } }
            return Double(text)
        }
    }
}
