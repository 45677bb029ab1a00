import Primitives
import RLP

/// An event emitted by LOG0..LOG4: the emitting contract, up to four indexed topics and
/// unindexed data. Encoded in receipts as `[address, [topic, ...], data]`.
public struct Log: Hashable, Sendable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]

    public init(address: Address, topics: [Hash32] = [], data: [UInt8] = []) {
        self.address = address; self.topics = topics; self.data = data
    }

    public var encoded: [UInt8] {
        RLP.encode(list: [RLP.encode(bytes: address.bytes),
                          RLP.encode(list: topics.map { RLP.encode(bytes: $0.bytes) }),
                          RLP.encode(bytes: data)])
    }

    init(item: RLPItem) throws(BlockDecodingError) {
        guard case .list(let f) = item else { throw .notAList(what: "log") }
        guard f.count == 3 else { throw .wrongFieldCount(what: "log", expected: 3, got: f.count) }
        var topics = [Hash32]()
        for topic in try BlockFieldReader.list(f[1], .topics) { topics.append(try BlockFieldReader.hash(topic, .topics)) }
        self.init(address: try BlockFieldReader.address(f[0], .logAddress), topics: topics,
                  data: try BlockFieldReader.bytes(f[2], .logData))
    }
}
