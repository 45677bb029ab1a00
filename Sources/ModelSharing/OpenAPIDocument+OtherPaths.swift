// OpenAPI paths of the verification routes (Sources/Verification) and of /openapi.json, /docs, /metrics.
// The members of a JSON object, written by hand as data; OpenAPIDocument.swift joins the pieces.

extension OpenAPIDocument {
    static let otherPaths = #"""
  "/contract/dataset": {
    "post": {
      "operationId": "contractDataset",
      "tags": ["verification"],
      "summary": "Deploy a DatasetRecord from the organization's account",
      "requestBody": {
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetRegistration"}}}
      },
      "responses": {
        "200": {
          "description": "Deployed",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["contract_address"],
                "properties": {"contract_address": {"$ref": "#/components/schemas/Address"}}
              }
            }
          },
          "links": {
            "record": {"operationId": "contractRecord_dataset", "parameters": {"address": "$response.body#/contract_address"}},
            "verify": {"operationId": "contractVerify", "parameters": {"address": "$response.body#/contract_address"}},
            "finalize": {"operationId": "contractFinalize", "parameters": {"address": "$response.body#/contract_address"}}
          }
        },
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/contract/model": {
    "post": {
      "operationId": "contractModel",
      "tags": ["verification"],
      "summary": "Deploy a ModelRecord citing a DatasetRecord (final at once with `res_hash`)",
      "requestBody": {
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ContractModelRegistration"}}}
      },
      "responses": {
        "200": {
          "description": "Deployed",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["contract_address"],
                "properties": {"contract_address": {"$ref": "#/components/schemas/Address"}}
              }
            }
          },
          "links": {
            "record": {"operationId": "contractRecord_model", "parameters": {"address": "$response.body#/contract_address"}},
            "verify": {"operationId": "contractVerify", "parameters": {"address": "$response.body#/contract_address"}},
            "finalize": {"operationId": "contractFinalize", "parameters": {"address": "$response.body#/contract_address"}}
          }
        },
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/contract/model_unverified": {
    "post": {
      "operationId": "contractModelUnverified",
      "tags": ["verification"],
      "summary": "Deploy an unverified ModelRecord",
      "requestBody": {
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnverifiedModelRegistration"}}}
      },
      "responses": {
        "200": {
          "description": "Deployed",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["contract_address"],
                "properties": {"contract_address": {"$ref": "#/components/schemas/Address"}}
              }
            }
          },
          "links": {
            "record": {
              "operationId": "contractRecord_model_unverified",
              "parameters": {"address": "$response.body#/contract_address"}
            },
            "verify": {"operationId": "contractVerify", "parameters": {"address": "$response.body#/contract_address"}},
            "finalize": {"operationId": "contractFinalize", "parameters": {"address": "$response.body#/contract_address"}}
          }
        },
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/contract/dataset/{address}": {
    "get": {
      "operationId": "contractRecord_dataset",
      "tags": ["verification"],
      "summary": "Read a dataset record back from chain state",
      "parameters": [
        {
          "name": "address",
          "in": "path",
          "required": true,
          "description": "The record contract's address.",
          "schema": {"$ref": "#/components/schemas/Address"}
        }
      ],
      "responses": {
        "200": {
          "description": "The record",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetRecord"}}}
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/contract/model/{address}": {
    "get": {
      "operationId": "contractRecord_model",
      "tags": ["verification"],
      "summary": "Read a model record back from chain state",
      "parameters": [
        {
          "name": "address",
          "in": "path",
          "required": true,
          "description": "The record contract's address.",
          "schema": {"$ref": "#/components/schemas/Address"}
        }
      ],
      "responses": {
        "200": {
          "description": "The record",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelRecord"}}}
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/contract/model_unverified/{address}": {
    "get": {
      "operationId": "contractRecord_model_unverified",
      "tags": ["verification"],
      "summary": "Read a model_unverified record back from chain state",
      "parameters": [
        {
          "name": "address",
          "in": "path",
          "required": true,
          "description": "The record contract's address.",
          "schema": {"$ref": "#/components/schemas/Address"}
        }
      ],
      "responses": {
        "200": {
          "description": "The record",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelRecord"}}}
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/contract/{address}/verify": {
    "post": {
      "operationId": "contractVerify",
      "tags": ["verification"],
      "summary": "Compare a hash with the record's stored hash",
      "parameters": [
        {
          "name": "address",
          "in": "path",
          "required": true,
          "description": "The record contract's address.",
          "schema": {"$ref": "#/components/schemas/Address"}
        },
        {
          "name": "res_hash",
          "in": "query",
          "required": true,
          "description": "The hash to compare (a dataset's commitment, a model's weights hash)",
          "schema": {"$ref": "#/components/schemas/Hash32"}
        }
      ],
      "responses": {
        "200": {
          "description": "The comparison",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["verified", "stored_hash", "finalized", "contract_address"],
                "properties": {
                  "verified": {"type": "boolean"},
                  "stored_hash": {"$ref": "#/components/schemas/Hash32"},
                  "finalized": {"type": "boolean"},
                  "contract_address": {"$ref": "#/components/schemas/Address"}
                }
              }
            }
          }
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/contract/{address}/finalize": {
    "post": {
      "operationId": "contractFinalize",
      "tags": ["verification"],
      "summary": "Finalize a record (models: with the weights hash)",
      "parameters": [
        {
          "name": "address",
          "in": "path",
          "required": true,
          "description": "The record contract's address.",
          "schema": {"$ref": "#/components/schemas/Address"}
        },
        {
          "name": "res_hash",
          "in": "query",
          "required": false,
          "description": "Models: the trained weights' hash (or in the JSON body)",
          "schema": {"$ref": "#/components/schemas/Hash32"}
        },
        {
          "name": "metrics_hash",
          "in": "query",
          "required": false,
          "description": "Models: optional metrics hash",
          "schema": {"$ref": "#/components/schemas/Hash32"}
        }
      ],
      "requestBody": {
        "required": false,
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {
                "res_hash": {"$ref": "#/components/schemas/Hash32"},
                "metrics_hash": {"$ref": "#/components/schemas/Hash32"}
              }
            }
          }
        }
      },
      "responses": {
        "200": {
          "description": "Finalized",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["contract_address", "finalized", "transaction_hash", "block_number"],
                "properties": {
                  "contract_address": {"$ref": "#/components/schemas/Address"},
                  "finalized": {"const": true},
                  "transaction_hash": {"$ref": "#/components/schemas/Hash32"},
                  "block_number": {"type": "integer"}
                }
              }
            }
          }
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/openapi.json": {
    "get": {
      "operationId": "openAPIDocument",
      "tags": ["service"],
      "summary": "This document",
      "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}
    }
  },
  "/docs": {
    "get": {
      "operationId": "docsPage",
      "tags": ["service"],
      "summary": "A readable HTML page of this document",
      "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}}
    }
  },
  "/metrics": {
    "get": {
      "operationId": "metrics",
      "tags": ["service"],
      "summary": "Prometheus metrics (text exposition format)",
      "responses": {"200": {"description": "Counters and histograms", "content": {"text/plain": {"schema": {"type": "string"}}}}}
    }
  }
"""#
}
