import Primitives
import RPC

extension AccountProof {
    /// Reads an `eth_getProof` answer, checking every field's form; both clients use it.
    public init(json: JSONValue) throws(LedgerClientError) {
        func field(_ value: JSONValue?, _ name: String) throws(LedgerClientError) -> String {
            guard let text = value?.stringValue else { throw .malformed("eth_getProof: \(name) missing or not a string") }
            return text
        }
        func quantity(_ value: JSONValue?, _ name: String) throws(LedgerClientError) -> UInt256 {
            let text = try field(value, name)
            guard text.hasPrefix("0x"), let number = try? UInt256(hex: text) else {
                throw .malformed("eth_getProof: \(name) is not a hex quantity: \(text.prefix(80))")
            }
            return number
        }
        func hash(_ value: JSONValue?, _ name: String) throws(LedgerClientError) -> Hash32 {
            guard let hash = try? Hash32(hex: try field(value, name)) else { throw .malformed("eth_getProof: \(name) is not a 32-byte hash") }
            return hash
        }
        func nodes(_ value: JSONValue?, _ name: String) throws(LedgerClientError) -> [[UInt8]] {
            guard let items = value?.arrayValue else { throw .malformed("eth_getProof: \(name) missing or not an array") }
            var result = [[UInt8]]()
            for (index, item) in items.enumerated() {
                guard let bytes = try? Hex.decode(try field(item, "\(name)[\(index)]"), requirePrefix: true) else {
                    throw .malformed("eth_getProof: \(name)[\(index)] is not hex data")
                }
                result.append(bytes)
            }
            return result
        }
        guard let address = try? Address(hex: try field(json["address"], "address")) else {
            throw .malformed("eth_getProof: address is not a 20-byte address")
        }
        let nonce = try quantity(json["nonce"], "nonce")
        guard let nonce64 = nonce.uint64 else { throw .malformed("eth_getProof: nonce exceeds 64 bits") }
        guard let storageItems = json["storageProof"]?.arrayValue else {
            throw .malformed("eth_getProof: storageProof missing or not an array")
        }
        var storage = [StorageProof]()
        for (index, item) in storageItems.enumerated() {
            let slot = try quantity(item["key"], "storageProof[\(index)].key").hash32
            storage.append(StorageProof(slot: slot, value: try quantity(item["value"], "storageProof[\(index)].value"),
                                        proof: try nodes(item["proof"], "storageProof[\(index)].proof")))
        }
        self.init(address: address, nonce: nonce64, balance: try quantity(json["balance"], "balance"),
                  codeHash: try hash(json["codeHash"], "codeHash"), storageHash: try hash(json["storageHash"], "storageHash"),
                  accountProof: try nodes(json["accountProof"], "accountProof"), storageProof: storage)
    }
}
