import GRDB

extension Registry {
    /// Bytes of the stored files `company`'s datasets and models reference (the quota's measure).
    public func storedBytes(company: String) async throws -> Int64 {
        try await pool.read { db in
            let sql = "SELECT COALESCE((SELECT SUM(size_bytes) FROM datasets WHERE company = ?), 0) + " +
                "COALESCE((SELECT SUM(size_bytes) FROM models WHERE company = ?), 0)"
            return try Int64.fetchOne(db, sql: sql, arguments: [company, company]) ?? 0
        }
    }
}
