/// In-order walks: keys come out in byte order (a key before the keys it prefixes).
extension MerklePatriciaTrie {
    /// Visits every (key, value) in key order until `body` returns false.
    public func forEach(_ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        var path = [UInt8]()
        _ = try visit(root, &path, body)
    }

    /// Every entry, in key order.
    public func entries() throws -> [(key: [UInt8], value: [UInt8])] {
        var out = [(key: [UInt8], value: [UInt8])]()
        try forEach { key, value in out.append((key, value)); return true }
        return out
    }

    /// The smallest key greater than `key`, or nil. Walks from the first key: O(n).
    public func nextKey(after key: [UInt8]) throws -> [UInt8]? {
        var found: [UInt8]?
        try forEach { candidate, _ in
            if isLess(key, candidate) { found = candidate; return false }
            return true
        }
        return found
    }

    /// The greatest key less than `key`, or nil. Walks from the first key: O(n).
    public func previousKey(before key: [UInt8]) throws -> [UInt8]? {
        var found: [UInt8]?
        try forEach { candidate, _ in
            guard isLess(candidate, key) else { return false }
            found = candidate
            return true
        }
        return found
    }

    private func isLess(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

    /// Returns false once `body` asked to stop.
    private func visit(_ node: TrieNode, _ path: inout [UInt8],
                       _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws -> Bool {
        switch node {
        case .empty:
            return true
        case .leaf(let leaf):
            let full = path + leaf.path
            // Keys are whole bytes; an odd nibble count cannot come from `insert`.
            guard full.count % 2 == 0 else { return true }
            return try body(Nibbles.toBytes(full), leaf.value)
        case .extension(let ext):
            path.append(contentsOf: ext.path)
            defer { path.removeLast(ext.path.count) }
            return try visit(ext.child, &path, body)
        case .branch(let branch):
            if let value = branch.value, path.count % 2 == 0, try !body(Nibbles.toBytes(path), value) { return false }
            for (nibble, child) in branch.children.enumerated() where !child.isEmpty {
                path.append(UInt8(nibble))
                defer { path.removeLast() }
                if try !visit(child, &path, body) { return false }
            }
            return true
        case .hashed(let h):
            return try visit(resolve(h.hash), &path, body)
        }
    }
}
