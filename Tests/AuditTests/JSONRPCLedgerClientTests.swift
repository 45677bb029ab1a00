import Audit
import Chain
import Foundation
import LedgerClient
import Primitives
import RPC
import Testing

/// The JSON-RPC client against a real dev node on 127.0.0.1, and against a node that lies.
@Suite struct JSONRPCLedgerClientTests {
    @Test func readsGenesisAndRebuildsItsHeader() async throws {
        let chain = try await DevChain.start()
        let genesisHash = try chain.node.database.genesisHash
        do {
            #expect(try await chain.client.chainId() == 1337)
            let header = try #require(try await chain.client.header(number: 0))
            #expect(header.hash == genesisHash)
            #expect(header.number == 0)
            let head = try await chain.client.blockNumber()
            #expect(try await chain.client.header(number: head + 1) == nil)
        } catch {
            await chain.stop()
            throw error
        }
        await chain.stop()
    }

    @Test func accountProofVerifiesAgainstTheGenesisStateRoot() async throws {
        let chain = try await DevChain.start()
        do {
            let account = try DevelopmentAccounts.accountAddresses[0]
            let header = try #require(try await chain.client.header(number: 0))
            let slot = UInt256(7).hash32
            let proof = try await chain.client.proof(of: account, slots: [slot], at: .tag(.number(0)))
            let proven = try ProvenAccount(verifying: proof, stateRoot: header.stateRoot)
            let expected = try #require(chain.node.genesis.alloc[account]).balance
            #expect(proven.balance == expected)
            #expect(try await chain.client.balance(of: account, at: .latest) == expected)
            #expect(proven.codeHash == ProvenAccount.emptyCodeHash)
            #expect(proven[UInt256(7)] == .zero)
            // The same proof does not verify against another root.
            #expect(throws: ProofFailure.self) { try ProvenAccount(verifying: proof, stateRoot: header.receiptsRoot) }
        } catch {
            await chain.stop()
            throw error
        }
        await chain.stop()
    }

    @Test func garbageTransactionIsRejected() async throws {
        let chain = try await DevChain.start()
        await #expect {
            _ = try await chain.client.sendRawTransaction([0xc0, 0xff, 0xee])
        } throws: { error in
            guard case LedgerClientError.rejected(let message) = error else { return false }
            return message.contains("invalid transaction encoding")
        }
        await chain.stop()
    }

    @Test func unreachableNodeIsATransportError() async throws {
        // Port 1 on loopback: nothing listens there, the connection is refused.
        let client = try JSONRPCLedgerClient(url: URL(string: "http://127.0.0.1:1")!, timeoutSeconds: 5)
        await #expect {
            _ = try await client.blockNumber()
        } throws: { error in
            if case LedgerClientError.transport = error { return true }
            return false
        }
        let auditor = try LineageAuditor(client: client)
        await #expect {
            _ = try await auditor.audit(model: .zero)
        } throws: { error in
            if case LedgerClientError.transport = error { return true }
            return false
        }
        #expect(throws: LedgerClientError.self) { try JSONRPCLedgerClient(url: URL(string: "ftp://127.0.0.1/")!) }
    }

    @Test func headerWhoseFieldsDoNotHashToTheBlockHashIsRefused() async throws {
        let chain = try await DevChain.start()
        let liar = try await LoopbackServer.lying(chain.node.dispatcher) { request, reply in
            let method = request["method"]?.stringValue ?? ""
            guard method == "eth_getBlockByNumber", case .object(var fields) = reply,
                  case .object(var block) = fields["result"] ?? .null else { return reply }
            block["stateRoot"] = .string(Hash32.zero.description)
            fields["result"] = .object(block)
            return .object(fields)
        }
        let client = try JSONRPCLedgerClient(url: liar.url)
        await #expect {
            _ = try await client.header(number: 0)
        } throws: { error in
            guard case LedgerClientError.malformed(let message) = error else { return false }
            return message.contains("hash")
        }
        await liar.stop()
        await chain.stop()
    }

    @Test func quantitiesWithLeadingZerosAndShortHashesAreRefused() async throws {
        let chain = try await DevChain.start()
        let liar = try await LoopbackServer.lying(chain.node.dispatcher) { request, reply in
            let method = request["method"]?.stringValue ?? ""
            guard case .object(var fields) = reply else { return reply }
            switch method {
            case "eth_blockNumber": fields["result"] = "0x00"
            case "eth_getStorageAt": fields["result"] = "0x01"
            case "eth_chainId": fields["result"] = .integer(1337)
            default: return reply
            }
            return .object(fields)
        }
        let client = try JSONRPCLedgerClient(url: liar.url)
        for request in [{ _ = try await client.blockNumber() },
                        { _ = try await client.storage(of: .zero, slot: .zero, at: .latest) },
                        { _ = try await client.chainId() }] as [@Sendable () async throws -> Void] {
            await #expect {
                try await request()
            } throws: { error in
                if case LedgerClientError.malformed = error { return true }
                return false
            }
        }
        await liar.stop()
        await chain.stop()
    }

    @Test func lyingProofFieldIsCaught() async throws {
        let chain = try await DevChain.start()
        let liar = try await LoopbackServer.lying(chain.node.dispatcher) { request, reply in
            let method = request["method"]?.stringValue ?? ""
            guard method == "eth_getProof", case .object(var fields) = reply,
                  case .object(var proof) = fields["result"] ?? .null else { return reply }
            proof["balance"] = "0x1"
            fields["result"] = .object(proof)
            return .object(fields)
        }
        let client = try JSONRPCLedgerClient(url: liar.url)
        let account = try DevelopmentAccounts.accountAddresses[1]
        let header = try #require(try await client.header(number: 0))
        let proof = try await client.proof(of: account, slots: [], at: .latest)
        #expect(proof.balance == .one)
        #expect(throws: ProofFailure.self) { try ProvenAccount(verifying: proof, stateRoot: header.stateRoot) }
        await liar.stop()
        await chain.stop()
    }

    @Test func revertErrorCarriesDataAndReason() async throws {
        let chain = try await DevChain.start()
        // "execution reverted: not owner" with Error(string) data, as the node reports a revert.
        let revertData = try Hex.decode("0x08c379a0" + "0000000000000000000000000000000000000000000000000000000000000020"
            + "0000000000000000000000000000000000000000000000000000000000000009"
            + "6e6f74206f776e65720000000000000000000000000000000000000000000000")
        let liar = try await LoopbackServer.lying(chain.node.dispatcher) { request, reply in
            let method = request["method"]?.stringValue ?? ""
            guard method == "eth_call" || method == "eth_sendRawTransaction" else { return reply }
            let error: JSONValue = method == "eth_call"
                ? ["code": .integer(3), "message": "execution reverted: not owner", "data": .string(Hex.encode(revertData))]
                : ["code": .integer(-32000), "message": "nonce too low"]
            return ["jsonrpc": "2.0", "id": .integer(1), "error": error]
        }
        let client = try JSONRPCLedgerClient(url: liar.url)
        var request = CallRequest()
        request.to = .zero
        await #expect(throws: LedgerClientError.reverted(data: revertData, reason: "not owner")) {
            _ = try await client.call(request, at: .latest)
        }
        await #expect(throws: LedgerClientError.rejected("nonce too low")) {
            _ = try await client.sendRawTransaction([0x01])
        }
        await liar.stop()
        await chain.stop()
    }

    @Test func answersEqualTheInProcessClient() async throws {
        try await LineageAuditTests.withChain { fixture in
            let a = LineageFixture.companyA
            let dataset = try await fixture.registerDataset(a, file: try fixture.writeCSV("d.csv", seed: 4), id: "d")
            let local = fixture.chain.node.makeClient()
            let remote = fixture.client
            let head = try await remote.blockNumber()
            #expect(head == (try await local.blockNumber()))
            #expect(head >= 3)
            var one: [BlockHeader] = []
            for n in 0...head {
                let header = try #require(try await remote.header(number: n))
                #expect(header == (try await local.header(number: n)))
                one.append(header)
            }
            // Batches of 2 over a range that runs past the head: the same headers, stopping at the head.
            #expect(try await remote.headers(0...(head + 5), batchSize: 2) == one)
            #expect(try await remote.headers(1...1) == [one[1]])
            let logs = try await remote.logs(matching: LogFilter(addresses: [dataset]), from: 0, to: head)
            #expect(logs == (try await local.logs(matching: LogFilter(addresses: [dataset]), from: 0, to: head)))
            #expect(logs.count >= 4)  // registered, content, statistics, finalized
            let hash = try #require(logs.first?.transactionHash)
            let receipt = try #require(try await remote.receipt(transactionHash: hash))
            #expect(receipt == (try await local.receipt(transactionHash: hash)))
            #expect(receipt.contractAddress == dataset)
            let slots = [UInt256(0).hash32, UInt256(6).hash32, UInt256(12345).hash32]
            #expect(try await remote.proof(of: dataset, slots: slots, at: .latest)
                    == (try await local.proof(of: dataset, slots: slots, at: .latest)))
            #expect(try await remote.code(of: dataset, at: .latest) == fixture.dataset.artifact.runtimeCode)
            #expect(try await remote.storage(of: dataset, slot: slots[1], at: .latest)
                    == (try await local.storage(of: dataset, slot: slots[1], at: .latest)))
            let owner = try LineageFixture.address(a)
            #expect(try await remote.transactionCount(of: owner, at: .latest) == 3)
        }
    }
}
