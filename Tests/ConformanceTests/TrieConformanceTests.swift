import Foundation
import Primitives
import Testing
import Trie

/// ethereum-tests TrieTests: every file's vectors insert (or delete, for null values) their
/// pairs in order and compare the root; `*_secureTrie` and `hex_encoded_*` files hash keys
/// first; `trietestnextprev.json` checks key ordering (previous and next key).
@Test func trieConformance() throws {
    var tally = ConformanceTally("TrieTests")
    let files = ConformanceData.jsonFiles(under: "TrieTests")
    #expect(!files.isEmpty, "no trie vectors under \(ConformanceData.root.path)")
    for file in files {
        let fileName = file.lastPathComponent
        guard let vectors = try ConformanceData.loadJSON(file) as? [String: Any] else {
            tally.check(fileName, false, "not a JSON object")
            continue
        }
        let secure = fileName.contains("secureTrie") || fileName.contains("securetrie")
        for (name, raw) in vectors.sorted(by: { $0.key < $1.key }) {
            let label = "\(fileName)/\(name)"
            guard let vector = raw as? [String: Any] else {
                tally.check(label, false, "vector is not an object")
                continue
            }
            if vector["tests"] != nil {
                runNextPrevious(vector, label: label, tally: &tally)
                continue
            }
            let allHex = (vector["hexEncoded"] as? Bool) ?? false
            do {
                let pairs = try TrieJSON.pairs(vector["in"], allHex: allHex)
                guard let rootText = vector["root"] as? String else { throw TrieJSON.Failure("missing root") }
                let expected = try Hash32(hex: rootText)
                var trie = MerklePatriciaTrie()
                for (key, value) in pairs {
                    let path = secure ? SecureTrie.hashedKey(key) : key
                    try trie.insert(key: path, value: value ?? [])
                }
                let root = trie.rootHash
                tally.check(label, root == expected, "root \(root), want \(expected)")
            } catch {
                tally.check(label, false, "\(error)")
            }
        }
    }
    tally.printSummary()
    tally.expectAtLeast(ConformanceFloor.trie)
    #expect(tally.failures.isEmpty)
    #expect(tally.passed > 0)
}

/// `{"in": [keys], "tests": [[key, previous, next]]}`, "" meaning none.
private func runNextPrevious(_ vector: [String: Any], label: String, tally: inout ConformanceTally) {
    guard let keys = vector["in"] as? [String], let cases = vector["tests"] as? [[String]] else {
        tally.check(label, false, "unexpected next/prev layout")
        return
    }
    do {
        var trie = MerklePatriciaTrie()
        for key in keys { try trie.insert(key: Array(key.utf8), value: Array(key.utf8)) }
        for (i, test) in cases.enumerated() {
            guard test.count == 3 else {
                tally.check("\(label)#\(i)", false, "want [key, prev, next]")
                continue
            }
            let key = Array(test[0].utf8)
            let previous = try trie.previousKey(before: key).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let next = try trie.nextKey(after: key).map { String(decoding: $0, as: UTF8.self) } ?? ""
            tally.check("\(label)#\(i)", previous == test[1] && next == test[2],
                        "'\(test[0])': prev '\(previous)' next '\(next)', want '\(test[1])' '\(test[2])'")
        }
    } catch {
        tally.check(label, false, "\(error)")
    }
}

/// Reads the vectors' `in`: a list of `[key, value]` pairs (applied in order) or an object
/// (whose order does not matter). Text starting with `0x` is hex, other text is raw bytes;
/// in `hexEncoded` vectors everything is hex. A null value deletes the key.
enum TrieJSON {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func pairs(_ input: Any?, allHex: Bool) throws -> [([UInt8], [UInt8]?)] {
        if let list = input as? [Any] {
            return try list.map { element in
                guard let pair = element as? [Any], pair.count == 2 else { throw Failure("pair is not [key, value]") }
                return (try bytes(pair[0], allHex: allHex), try optionalBytes(pair[1], allHex: allHex))
            }
        }
        if let object = input as? [String: Any] {
            return try object.keys.sorted().map { key in
                (try bytes(key, allHex: allHex), try optionalBytes(object[key] as Any, allHex: allHex))
            }
        }
        throw Failure("unsupported 'in' layout")
    }

    static func optionalBytes(_ value: Any, allHex: Bool) throws -> [UInt8]? {
        if value is NSNull { return nil }
        return try bytes(value, allHex: allHex)
    }

    static func bytes(_ value: Any, allHex: Bool) throws -> [UInt8] {
        guard let text = value as? String else { throw Failure("key or value is not a string: \(value)") }
        if allHex || text.hasPrefix("0x") { return try Hex.decode(text) }
        return Array(text.utf8)
    }
}
