// OpenAPI pieces for access control: the bearer scheme and the 401/403/429/507 answers every
// protected operation may give (AccessMiddleware.swift). Joined in by OpenAPIDocument.swift.

extension OpenAPIDocument {
    /// Top-level `security`: a bearer token (`--auth oidc`/`dev`), or nothing under `--auth none`.
    static let security = #"""
  "security": [{"bearerAuth": []}, {}]
"""#

    static let securitySchemes = #"""
  "securitySchemes": {
    "bearerAuth": {
      "type": "http",
      "scheme": "bearer",
      "bearerFormat": "JWT",
      "description": "With `--auth oidc` or `--auth dev`: a JWT signed RS256, ES256 or EdDSA by the configured issuer; `sub` is the developer, the company comes from the `organization` claim (configurable; or a `/companies/<name>` group), roles from `realm_access.roles` (mlaas-developer, mlaas-auditor reads only, mlaas-admin). Every route is scoped to the token's company."
    }
  }
"""#

    static let accessResponseComponents = #"""
    "Unauthorized": {
      "description": "No bearer token, or one that fails a rule (expired, not yet valid, wrong issuer or audience, unknown key, bad signature, refused algorithm); the rule is named.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "Forbidden": {
      "description": "A valid token that may not do this (an auditor writing, a body or query naming another organization), or the record's owner is not an account of this node.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "TooManyRequests": {
      "description": "The token's request rate (`--rate-limit`) is exceeded; `Retry-After` says when to retry.",
      "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds."}},
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "QuotaExceeded": {
      "description": "The company's storage quota (`--company-quota-bytes`) is used up; the message names it.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },

"""#

    static let accessResponses = #"""
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "403": {"$ref": "#/components/responses/Forbidden"},
        "429": {"$ref": "#/components/responses/TooManyRequests"},

"""#

    /// Every multi-line `responses` object (the protected operations; the public ones are
    /// written on one line) gains the access answers.
    /// The operations' own 403 (the record's owner is not an account of this node) folds into
    /// the one `Forbidden` answer, which describes both.
    static func withAccessResponses(_ paths: String) -> String {
        paths.replacingOccurrences(of: ##""403": {"$ref": "#/components/responses/NotOwner"},"##, with: "")
            .replacingOccurrences(of: "\"responses\": {\n", with: "\"responses\": {\n" + accessResponses)
    }

    /// The components with the access responses and the bearer scheme.
    static func withAccessComponents(_ components: String) -> String {
        components.replacingOccurrences(of: "\"responses\": {\n", with: "\"responses\": {\n" + accessResponseComponents)
            + ",\n" + securitySchemes
    }
}
