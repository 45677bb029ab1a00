import Chain
import LedgerClient
import Primitives

/// One `TransactionSender` per company account, made on first use and kept, so that each
/// account's nonces are managed in one place however many requests are in flight. A company
/// without an account gets one here (the keyring's first-use rule); the actor makes sure two
/// requests for a new company create one account, not two.
package actor CompanySenders {
    let client: any LedgerClient
    let keyring: CompanyKeyring
    private var senders: [Address: TransactionSender] = [:]
    private var chain: (chainId: UInt64, gasCap: UInt64)?

    init(client: any LedgerClient, keyring: CompanyKeyring) {
        self.client = client
        self.keyring = keyring
    }

    /// The sender of `company`'s signing account, creating the account when it has none.
    package func sender(company: String) async throws -> TransactionSender {
        let key: SigningKey
        do { key = try keyring.signingKey(company: company, createIfMissing: true) } catch {
            if case .invalidCompanyName = error { throw VerificationError.invalidField("organization_id", reason: error.description) }
            throw VerificationError.internalFailure(error.description)
        }
        return try await sender(key: key)
    }

    /// The sender of the account `owner`, when the keyring holds it.
    package func sender(owner: Address) async throws -> TransactionSender? {
        if let sender = senders[owner] { return sender }
        guard let company = keyring.company(of: owner) else { return nil }
        let key: SigningKey
        do { key = try keyring.signingKey(company: company) } catch {
            throw VerificationError.internalFailure(error.description)
        }
        guard key.address == owner else { return nil }
        return try await sender(key: key)
    }

    private func sender(key: SigningKey) async throws -> TransactionSender {
        if let sender = senders[key.address] { return sender }
        let chain = try await chainParameters()
        // Another request may have made it while this one waited for the chain parameters.
        if let sender = senders[key.address] { return sender }
        let sender = TransactionSender(client: client, key: key, chainId: chain.chainId, gasCap: chain.gasCap)
        senders[key.address] = sender
        return sender
    }

    private func chainParameters() async throws -> (chainId: UInt64, gasCap: UInt64) {
        if let chain { return chain }
        let chainId = try await client.chainId()
        let head = try await client.blockNumber()
        let gasCap = try await client.header(number: head)?.gasLimit ?? 30_000_000
        chain = (chainId, gasCap)
        return (chainId, gasCap)
    }
}
