import Primitives
import RPC
import Testing

/// The typed parameter layer: quantities, data, block tags and EIP-1898 selectors, with
/// errors that name the bad field.
@Suite struct ParamDecodingTests {
    func rejects(_ value: JSONValue, _ decode: (JSONValue, String) throws(RPCError) -> some Any,
                 containing text: String) {
        do {
            _ = try decode(value, "field")
            Issue.record("accepted \(value)")
        } catch {
            #expect(error.code == -32602)
            #expect(error.message.contains("field"), "\(error.message)")
            #expect(error.message.contains(text), "\(error.message)")
        }
    }

    @Test func quantities() throws {
        #expect(try ParamDecoding.uint64(.string("0x0"), "f") == 0)
        #expect(try ParamDecoding.uint64(.string("0x1a"), "f") == 26)
        #expect(try ParamDecoding.uint256(.string("0x" + String(repeating: "f", count: 64)), "f") == .max)
        rejects(.string("0x01"), ParamDecoding.uint64, containing: "leading zero")
        rejects(.string("12"), ParamDecoding.uint64, containing: "0x prefix")
        rejects(.string("0x"), ParamDecoding.uint64, containing: "0x")
        rejects(.string("0xg1"), ParamDecoding.uint64, containing: "invalid hex")
        rejects(.string("0x1" + String(repeating: "0", count: 16)), ParamDecoding.uint64, containing: "64 bits")
        rejects(.string("0x1" + String(repeating: "0", count: 64)), ParamDecoding.uint256, containing: "256 bits")
        rejects(.integer(5), ParamDecoding.uint64, containing: "expected string, got number")
    }

    @Test func dataAddressesAndHashes() throws {
        #expect(try ParamDecoding.data(.string("0x"), "f") == [])
        #expect(try ParamDecoding.data(.string("0x00ff"), "f") == [0, 255])
        rejects(.string("0x123"), ParamDecoding.data, containing: "odd length")
        rejects(.string("0x" + String(repeating: "11", count: 19)), ParamDecoding.address, containing: "20 bytes")
        rejects(.string("0x" + String(repeating: "11", count: 31)), ParamDecoding.hash, containing: "32 bytes")
    }

    @Test func blockTagsAndSelectors() throws {
        #expect(try ParamDecoding.blockTag(.string("latest"), "f") == .latest)
        #expect(try ParamDecoding.blockTag(.string("finalized"), "f") == .finalized)
        #expect(try ParamDecoding.blockTag(.string("0x10"), "f") == .number(16))
        rejects(.string("newest"), ParamDecoding.blockTag, containing: "unknown block tag")
        let hash = "0x" + String(repeating: "ab", count: 32)
        #expect(try ParamDecoding.blockSelector(.string(hash), "f") == .hash(try Hash32(hex: hash), requireCanonical: false))
        #expect(try ParamDecoding.blockSelector(["blockHash": .string(hash), "requireCanonical": true], "f")
                == .hash(try Hash32(hex: hash), requireCanonical: true))
        #expect(try ParamDecoding.blockSelector(["blockNumber": "0x2"], "f") == .tag(.number(2)))
        rejects(["blockNumber": "0x2", "blockHash": .string(hash)], ParamDecoding.blockSelector, containing: "both")
        rejects(["blockHash": "0x12"], ParamDecoding.blockSelector, containing: "field.blockHash")
    }

    @Test func methodErrorsNameTheField() throws {
        let node = try RPCTestSupport.memoryNode()
        let d = node.dispatcher
        let missing = RPCTestSupport.call(d, "eth_getBlockByHash", "[]")
        #expect(RPCTestSupport.errorCode(missing) == -32602)
        #expect(RPCTestSupport.errorMessage(missing)?.contains("blockHash") == true)
        let tooMany = RPCTestSupport.call(d, "web3_clientVersion", #"[1]"#)
        #expect(RPCTestSupport.errorMessage(tooMany)?.contains("too many arguments") == true)
        let logs = RPCTestSupport.call(d, "eth_getLogs", #"[{"fromBlock":"0x00"}]"#)
        #expect(RPCTestSupport.errorMessage(logs)?.contains("filter.fromBlock") == true)
        let topics = RPCTestSupport.call(d, "eth_getLogs", #"[{"topics":[null,["0x12"]]}]"#)
        #expect(RPCTestSupport.errorMessage(topics)?.contains("filter.topics[1][0]") == true)
        let objectParams = RPCTestSupport.send(d, #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":{"a":1}}"#)
        #expect(RPCTestSupport.errorCode(objectParams) == -32602)
        let full = RPCTestSupport.call(d, "eth_getBlockByNumber", #"["0x0","yes"]"#)
        #expect(RPCTestSupport.errorMessage(full)?.contains("fullTransactions") == true)
    }
}
