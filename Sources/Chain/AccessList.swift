import Primitives
import RLP

/// One EIP-2930 access-list entry: an address and storage keys the transaction declares it
/// will touch (pre-warmed for a fee, EIP-2929).
public struct AccessListEntry: Equatable, Hashable, Sendable {
    public var address: Address
    public var storageKeys: [Hash32]

    public init(address: Address, storageKeys: [Hash32] = []) {
        self.address = address
        self.storageKeys = storageKeys
    }
}

/// RLP form of access lists: `[[address, [key, ...]], ...]`.
enum AccessListCoding {
    static func encode(_ list: [AccessListEntry]) -> [UInt8] {
        RLP.encode(list: list.map { entry in
            RLP.encode(list: [
                RLP.encode(bytes: entry.address.bytes),
                RLP.encode(list: entry.storageKeys.map { RLP.encode(bytes: $0.bytes) }),
            ])
        })
    }

    static func decode(_ item: RLPItem) throws(TransactionError) -> [AccessListEntry] {
        guard case .list(let entries) = item else { throw .fieldIsNotList(.accessList) }
        var result = [AccessListEntry]()
        result.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            guard case .list(let parts) = entry, parts.count == 2,
                  case .bytes(let addressBytes) = parts[0],
                  case .list(let keyItems) = parts[1] else {
                throw .malformedAccessListEntry(index: index)
            }
            guard addressBytes.count == 20, let address = try? Address(bytes: addressBytes) else {
                throw .wrongAddressLength(.accessList, got: addressBytes.count)
            }
            var keys = [Hash32]()
            keys.reserveCapacity(keyItems.count)
            for keyItem in keyItems {
                guard case .bytes(let keyBytes) = keyItem else { throw .malformedAccessListEntry(index: index) }
                guard keyBytes.count == 32, let key = try? Hash32(bytes: keyBytes) else {
                    throw .wrongStorageKeyLength(got: keyBytes.count)
                }
                keys.append(key)
            }
            result.append(AccessListEntry(address: address, storageKeys: keys))
        }
        return result
    }
}
