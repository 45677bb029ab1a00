import Chain
import Primitives
import Testing

/// The genesis of the Ethereum execution-API specification's test chain (a reference client's Cancun chain
/// with system contracts, storage, nonces and large balances) and the genesis block hash
/// that client reports for it: parsing, state root, fork-dependent header fields and
/// hashing all have to agree for the hash to match.
@Suite struct GenesisReferenceTests {
    static let genesisJSON = """
{"config":{"chainId":3503995874084926,"homesteadBlock":0,"eip150Block":0,"eip155Block":0,"eip158Block":0,"byza
ntiumBlock":0,"constantinopleBlock":0,"petersburgBlock":0,"istanbulBlock":0,"muirGlacierBlock":0,"berlinBlock"
:0,"londonBlock":0,"arrowGlacierBlock":0,"grayGlacierBlock":0,"mergeNetsplitBlock":0,"shanghaiTime":0,"cancunT
ime":0,"terminalTotalDifficulty":131072,"terminalTotalDifficultyPassed":true,"ethash":{}},"nonce":"0x0","times
tamp":"0x0","extraData":"0x68697665636861696e","gasLimit":"0x23f3e20","difficulty":"0x20000","mixHash":"0x0000
000000000000000000000000000000000000000000000000000000000000","coinbase":"0x0000000000000000000000000000000000
000000","alloc":{"000f3df6d732807ef1319fb7b8bb8522d0beac02":{"code":"0x3373fffffffffffffffffffffffffffffffffff
ffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5
f5ffd5b62001fff42064281555f359062001fff015500","balance":"0x2a"},"0c2c51a0990aee1d73c1228de158688341557508":{"
balance":"0xc097ce7bc90715b34b9f1000000000"},"14e46043e63d0e3cdcf2530519f4cfaf35058cb2":{"balance":"0xc097ce7b
c90715b34b9f1000000000"},"16c57edf7fa9d9525378b0b81bf8a3ced0620c1c":{"balance":"0xc097ce7bc90715b34b9f10000000
00"},"1f4924b14f34e24159387c0a4cdbaa32f3ddb0cf":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"1f5bde34b4afc6
86f136c7a3cb6ec376f7357759":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"2d389075be5be9f2246ad654ce152cf059
90b209":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"3ae75c08b4c907eb63a8960c45b86e1e9ab6123c":{"balance":"
0xc097ce7bc90715b34b9f1000000000"},"4340ee1b812acb40a1eb561c019c327b243b92df":{"balance":"0xc097ce7bc90715b34b
9f1000000000"},"4a0f1452281bcec5bd90c3dce6162a5995bfe9df":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"4dde
844b71bcdf95512fb4dc94e84fb67b512ed8":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"5f552da00dfb4d3749d9e62d
cee3c918855a86a0":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"654aa64f5fbefb84c270ec74211b81ca8c44a72e":{"
balance":"0xc097ce7bc90715b34b9f1000000000"},"717f8aa2b982bee0e29f573d31df288663e1ce16":{"balance":"0xc097ce7b
c90715b34b9f1000000000"},"7435ed30a8b4aeb0877cef0c6e8cffe834eb865f":{"balance":"0xc097ce7bc90715b34b9f10000000
00"},"7dcd17433742f4c0ca53122ab541d0ba67fc27df":{"code":"0x368060008037600020600054808255806001016000556000526
3656d697460206000a2","balance":"0x0"},"83c7e323d189f18725ac510004fdc2941f8c4a78":{"balance":"0xc097ce7bc90715b
34b9f1000000000"},"84e75c28348fb86acea1a93a39426d7d60f4cc46":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"8
bebc8ba651aee624937e7d897853ac30c95a067":{"storage":{"0x000000000000000000000000000000000000000000000000000000
0000000001":"0x0000000000000000000000000000000000000000000000000000000000000001","0x00000000000000000000000000
00000000000000000000000000000000000002":"0x0000000000000000000000000000000000000000000000000000000000000002","
0x0000000000000000000000000000000000000000000000000000000000000003":"0x000000000000000000000000000000000000000
0000000000000000000000003"},"balance":"0x1","nonce":"0x1"},"c7b99a164efd027a93f147376cc7da7c67c6bbe0":{"balanc
e":"0xc097ce7bc90715b34b9f1000000000"},"d803681e487e6ac18053afc5a6cd813c86ec3e4d":{"balance":"0xc097ce7bc90715
b34b9f1000000000"},"e7d13f7aa2a838d24c59b40186a0aca1e21cffcc":{"balance":"0xc097ce7bc90715b34b9f1000000000"},"
eda8645ba6948855e3b3cd596bbb07596d59c603":{"balance":"0xc097ce7bc90715b34b9f1000000000"}},"number":"0x0","gasU
sed":"0x0","parentHash":"0x0000000000000000000000000000000000000000000000000000000000000000","baseFeePerGas":"
0x3b9aca00","excessBlobGas":null,"blobGasUsed":null}

""".replacingOccurrences(of: "\n", with: "")

    static let statedStateRoot = "0x3f721d898239f0f78c63ec54498e1533ac29cdf335b5682a42f97d19b6e83e86"
    static let statedHash = "0x414c637788e37e9f65ed2c6ee962d32aeea39722ad50ee764e712fabebd69118"

    @Test func referenceGenesisBlockHashMatches() throws {
        let genesis = try Genesis(json: Array(Self.genesisJSON.utf8))
        #expect(genesis.config.chainId == 3_503_995_874_084_926)
        #expect(genesis.alloc.count == 23)
        let (block, nodes) = try genesis.block()
        #expect(block.header.stateRoot == BlockTestSupport.hash(Self.statedStateRoot))
        #expect(block.hash == BlockTestSupport.hash(Self.statedHash))
        #expect(block.header.parentBeaconBlockRoot == .zero && block.header.blobGasUsed == 0)
        #expect(nodes.count > 23)
    }
}
