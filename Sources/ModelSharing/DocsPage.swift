import Primitives
import RPC

/// `GET /docs`: the OpenAPI document as one self-contained HTML page (no script, no CDN: the
/// nodes run on machines without internet access). Rendered once at start-up from the parsed
/// document, so the page cannot drift from `/openapi.json`.
package enum DocsPage {
    static let methods = ["get", "post", "put", "delete", "patch"]

    static func render(_ document: JSONValue) -> String {
        let info = document["info"]
        let title = info?["title"]?.stringValue ?? "API"
        let tags = document["tags"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        var operations: [(tag: String, path: String, method: String, operation: JSONValue)] = []
        if case .object(let paths)? = document["paths"] {
            for (path, item) in paths {
                for method in methods {
                    guard let operation = item[method] else { continue }
                    operations.append((operation["tags"]?.arrayValue?.first?.stringValue ?? "", path, method, operation))
                }
            }
        }
        // Grouped as the document's tags are listed, then by path: the order a reader looks things up in.
        operations.sort { a, b in
            let ta = tags.firstIndex(of: a.tag) ?? tags.count, tb = tags.firstIndex(of: b.tag) ?? tags.count
            if ta != tb { return ta < tb }
            if a.path != b.path { return a.path < b.path }
            return (methods.firstIndex(of: a.method) ?? 0) < (methods.firstIndex(of: b.method) ?? 0)
        }

        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d2330; }
        h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d5dae3; }
        code, .path { font-family: ui-monospace, monospace; font-size: 14px; }
        table { border-collapse: collapse; width: 100%; margin: .6rem 0; }
        th, td { text-align: left; vertical-align: top; padding: .3rem .6rem; border-bottom: 1px solid #e6e9ef; }
        th { background: #f3f5f8; font-weight: 600; }
        .m { display: inline-block; min-width: 3.6rem; text-align: center; border-radius: 4px; color: #fff; font-weight: 600; font-size: 13px; }
        .get { background: #2f6fbd; } .post { background: #2e8b57; } .put { background: #b7791f; } .delete { background: #c53030; }
        .op { border: 1px solid #e1e5ec; border-radius: 6px; padding: .4rem 1rem .8rem; margin: 1rem 0; }
        .muted { color: #5b6475; }
        </style></head><body>
        <h1>\(escape(title))</h1>
        <p class="muted">OpenAPI \(escape(document["openapi"]?.stringValue ?? "")) · version \(escape(info?["version"]?.stringValue ?? "")) · machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a></p>
        <p>\(inline(info?["description"]?.stringValue ?? ""))</p>
        <h2>Routes</h2>
        <table><tr><th>Method</th><th>Path</th><th>Summary</th><th>Responses</th></tr>

        """
        for op in operations {
            let codes = responseCodes(op.operation).joined(separator: " ")
            html += "<tr><td><span class=\"m \(op.method)\">\(op.method.uppercased())</span></td>"
                + "<td class=\"path\"><a href=\"#\(anchor(op.method, op.path))\">\(escape(op.path))</a></td>"
                + "<td>\(inline(op.operation["summary"]?.stringValue ?? ""))</td><td><code>\(codes)</code></td></tr>\n"
        }
        html += "</table>\n"
        var currentTag: String?
        for op in operations {
            if op.tag != currentTag {
                currentTag = op.tag
                html += "<h2>\(escape(op.tag))</h2>\n"
            }
            html += operationSection(op.method, op.path, op.operation, document: document)
        }
        html += "</body></html>\n"
        return html
    }

    static func operationSection(_ method: String, _ path: String, _ operation: JSONValue, document: JSONValue) -> String {
        var html = "<div class=\"op\" id=\"\(anchor(method, path))\"><h3><span class=\"m \(method)\">\(method.uppercased())</span> "
            + "<span class=\"path\">\(escape(path))</span></h3>\n"
        html += "<p><b>\(inline(operation["summary"]?.stringValue ?? ""))</b></p>\n"
        if let description = operation["description"]?.stringValue { html += "<p>\(inline(description))</p>\n" }
        if let parameters = operation["parameters"]?.arrayValue, !parameters.isEmpty {
            html += "<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th></tr>\n"
            for parameter in parameters {
                let required = parameter["required"]?.boolValue == true ? "yes" : "no"
                html += "<tr><td><code>\(escape(parameter["name"]?.stringValue ?? ""))</code></td><td>\(escape(parameter["in"]?.stringValue ?? ""))</td>"
                    + "<td>\(required)</td><td>\(inline(parameter["description"]?.stringValue ?? ""))</td></tr>\n"
            }
            html += "</table>\n"
        }
        if case .object(let content)? = operation["requestBody"]?["content"] {
            html += "<p>Request body: "
            html += content.keys.sorted().map { type -> String in
                let fields = schemaFields(content[type]?["schema"], document: document)
                return "<code>\(escape(type))</code>" + (fields.isEmpty ? "" : " (\(fields.map { "<code>\(escape($0))</code>" }.joined(separator: ", ")))")
            }.joined(separator: "; ")
            html += "</p>\n"
        }
        html += "<table><tr><th>Status</th><th>Meaning</th></tr>\n"
        for code in responseCodes(operation) {
            let response = resolve(operation["responses"]?[code], document: document)
            html += "<tr><td><code>\(code)</code></td><td>\(inline(response?["description"]?.stringValue ?? ""))</td></tr>\n"
        }
        return html + "</table></div>\n"
    }

    static func responseCodes(_ operation: JSONValue) -> [String] {
        guard case .object(let responses)? = operation["responses"] else { return [] }
        return responses.keys.sorted()
    }

    /// The top-level property names of a schema (following one `$ref`), required ones marked `*`.
    static func schemaFields(_ schema: JSONValue?, document: JSONValue) -> [String] {
        guard let schema = resolve(schema, document: document), case .object(let properties)? = schema["properties"] else { return [] }
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        return properties.keys.sorted().map { required.contains($0) ? $0 + "*" : $0 }
    }

    /// Follows a local `$ref` (`#/components/...`).
    package static func resolve(_ value: JSONValue?, document: JSONValue) -> JSONValue? {
        guard let reference = value?["$ref"]?.stringValue, reference.hasPrefix("#/") else { return value }
        var node: JSONValue? = document
        for key in reference.dropFirst(2).split(separator: "/") { node = node?[String(key)] }
        return node
    }

    static func anchor(_ method: String, _ path: String) -> String {
        method + "-" + String(path.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Escaped text with `code` spans for the document's backticks.
    static func inline(_ text: String) -> String {
        let parts = escape(text).split(separator: "`", omittingEmptySubsequences: false)
        return parts.enumerated().map { $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : String($0.element) }.joined()
    }
}
