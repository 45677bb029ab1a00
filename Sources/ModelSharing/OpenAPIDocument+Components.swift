// OpenAPI components: the shared schemas and error responses.
// The members of a JSON object, written by hand as data; OpenAPIDocument.swift joins the pieces.

extension OpenAPIDocument {
    static let components = #"""
  "schemas": {
    "Hash32": {"type": "string", "pattern": "^0x[0-9a-fA-F]{64}$", "description": "32 bytes, 0x-prefixed hex."},
    "Address": {
      "type": "string",
      "pattern": "^0x[0-9a-fA-F]{40}$",
      "description": "20-byte account or contract address, 0x-prefixed hex."
    },
    "Uint": {"type": ["integer", "string"], "description": "A non-negative integer; a decimal string when above 2^63-1."},
    "Int": {"type": ["integer", "string"], "description": "A signed integer; a decimal string when outside 64 bits."},
    "Error": {
      "type": "object",
      "required": ["error"],
      "properties": {
        "error": {
          "type": "string",
          "description": "What went wrong (\"integrity\" for a stored object that does not match the chain)."
        },
        "field": {"type": "string", "description": "422: the offending field, dotted path."},
        "detail": {"type": "string", "description": "409 integrity: which check failed."},
        "reason": {"type": ["string", "null"], "description": "409 revert: the contract's revert reason."}
      }
    },
    "Statistics": {
      "type": "object",
      "required": ["scale"],
      "description": "Per-feature fixed-point statistics (value x scale).",
      "properties": {
        "scale": {"$ref": "#/components/schemas/Uint"},
        "features": {
          "type": "array",
          "maxItems": 256,
          "items": {
            "type": "object",
            "required": ["count"],
            "properties": {
              "count": {"$ref": "#/components/schemas/Uint"},
              "mean": {"$ref": "#/components/schemas/Int"},
              "variance": {"$ref": "#/components/schemas/Int"},
              "min": {"$ref": "#/components/schemas/Int"},
              "max": {"$ref": "#/components/schemas/Int"}
            }
          }
        }
      }
    },
    "DatasetRegistration": {
      "type": "object",
      "required": ["organization_id", "samples_dimension"],
      "description": "A dataset described in JSON (no file): anchored as a DatasetRecord; final at once when `hash` is given (and `pending` is not true).",
      "properties": {
        "organization_id": {"type": "string", "minLength": 1},
        "developer_id": {"type": "string"},
        "samples_dimension": {"type": "string", "minLength": 1, "description": "Shape of one sample: \"28x28\", \"(3, 32, 32)\"."},
        "size_bytes": {"$ref": "#/components/schemas/Uint"},
        "hash": {"$ref": "#/components/schemas/Hash32"},
        "sample_count": {"$ref": "#/components/schemas/Uint"},
        "schema_hash": {"$ref": "#/components/schemas/Hash32"},
        "dataset_id": {"type": "string", "description": "POST /contract/dataset only: the id written into the record."},
        "pending": {"type": "boolean", "description": "POST /contract/dataset: statistics follow, keep the record open."},
        "statistics": {"$ref": "#/components/schemas/Statistics"}
      }
    },
    "DatasetMetadataPart": {
      "type": "object",
      "description": "The `metadata` part of a dataset upload. `size_bytes` and `hash` (chunk commitment or Keccak-256 of the file), when given, must match the file.",
      "properties": {
        "organization_id": {"type": "string"},
        "developer_id": {"type": "string"},
        "samples_dimension": {"type": "string"},
        "sample_num": {"$ref": "#/components/schemas/Uint"},
        "size_bytes": {"$ref": "#/components/schemas/Uint"},
        "hash": {"$ref": "#/components/schemas/Hash32"}
      }
    },
    "ModelParams": {
      "type": "object",
      "required": ["developer_id", "train_image"],
      "properties": {
        "developer_id": {"type": "string", "minLength": 1},
        "organization_id": {"type": "string", "minLength": 1},
        "train_image": {"type": "string", "minLength": 1, "maxLength": 256, "description": "The training recipe (container image)."},
        "params": {"type": ["object", "string"], "description": "Hyper-parameters (at most 4096 bytes as JSON)."},
        "architecture": {"type": ["object", "string"]},
        "backend": {"type": "string", "maxLength": 64},
        "seeds": {"type": "array", "maxItems": 16, "items": {"$ref": "#/components/schemas/Uint"}},
        "input_shape": {"type": ["array", "string"], "items": {"$ref": "#/components/schemas/Uint"}},
        "output_shape": {"type": ["array", "string"], "items": {"$ref": "#/components/schemas/Uint"}},
        "parameter_count": {"$ref": "#/components/schemas/Uint"},
        "res_hash": {"$ref": "#/components/schemas/Hash32"}
      }
    },
    "ModelRegistration": {
      "type": "object",
      "required": ["model_params", "data_params"],
      "description": "A model citing one final dataset of the caller's organization; with `res_hash` it is final at once.",
      "properties": {
        "model_params": {"$ref": "#/components/schemas/ModelParams"},
        "data_params": {
          "type": "object",
          "required": ["dataset_id"],
          "properties": {"dataset_id": {"type": "string", "format": "uuid"}}
        }
      }
    },
    "ContractModelRegistration": {
      "type": "object",
      "required": ["model_params", "data_params"],
      "properties": {
        "model_params": {
          "type": "object",
          "required": ["developer_id", "organization_id", "train_image"],
          "properties": {
            "developer_id": {"type": "string", "minLength": 1},
            "organization_id": {"type": "string", "minLength": 1},
            "train_image": {"type": "string", "minLength": 1, "maxLength": 256},
            "res_hash": {"$ref": "#/components/schemas/Hash32"},
            "metrics_hash": {"$ref": "#/components/schemas/Hash32"},
            "model_id": {"type": "string"},
            "backend": {"type": "string", "maxLength": 64},
            "architecture_hash": {"$ref": "#/components/schemas/Hash32"},
            "hyper_parameters": {"type": ["object", "string"]},
            "seeds": {"type": "array", "maxItems": 16, "items": {"$ref": "#/components/schemas/Uint"}},
            "input_shape": {"type": "array", "maxItems": 8, "items": {"$ref": "#/components/schemas/Uint"}},
            "output_shape": {"type": "array", "maxItems": 8, "items": {"$ref": "#/components/schemas/Uint"}},
            "parameter_count": {"$ref": "#/components/schemas/Uint"},
            "parent": {"$ref": "#/components/schemas/Address"},
            "relation": {"type": "string", "maxLength": 32}
          }
        },
        "data_params": {
          "type": "object",
          "required": ["dataset_id"],
          "properties": {"dataset_id": {"$ref": "#/components/schemas/Address"}}
        }
      }
    },
    "UnverifiedModelRegistration": {
      "type": "object",
      "required": ["developer_id", "organization_id"],
      "properties": {
        "developer_id": {"type": "string", "minLength": 1},
        "organization_id": {"type": "string", "minLength": 1},
        "hash": {"$ref": "#/components/schemas/Hash32"},
        "train_image": {"type": "string", "maxLength": 256}
      }
    },
    "DatasetMetadata": {
      "type": "object",
      "required": ["dataset_id", "contract_address", "status", "created"],
      "description": "The metadata as posted (every posted field reads back as written), plus these fields where the post did not give them.",
      "properties": {
        "dataset_id": {},
        "contract_address": {},
        "status": {},
        "created": {},
        "sample_count": {},
        "size_bytes": {},
        "hash": {},
        "keccak256": {},
        "chunk_root": {},
        "artifact_size": {}
      }
    },
    "ModelMetadata": {
      "type": "object",
      "required": ["model_id", "contract_address", "status", "created"],
      "description": "A model as posted plus the registry's fields: `model_params` (with `res_hash`, the anchored weights hash once final) and `data_params` for verified models; the posted fields with `hash` for unverified ones.",
      "properties": {
        "model_id": {},
        "contract_address": {},
        "status": {},
        "created": {},
        "artifact_size": {"type": ["integer", "null"]},
        "keccak256": {"type": ["string", "null"]},
        "chunk_root": {"type": ["string", "null"]},
        "recorded_developer": {"type": "string", "description": "The developer the record and its contract name: the bearer token's `sub` when the node verifies tokens (a body's `developer_id` is then ignored), else the posted `developer_id`."},
        "model_params": {"type": "object"},
        "data_params": {"type": "object"}
      }
    },
    "DatasetRecord": {
      "type": "object",
      "required": ["contract_address", "owner", "finalized"],
      "properties": {
        "organization_id": {"type": "string"},
        "samples_dimension": {"type": "string"},
        "size_bytes": {},
        "hash": {},
        "contract_address": {"$ref": "#/components/schemas/Address"},
        "owner": {"$ref": "#/components/schemas/Address"},
        "dataset_id": {"type": "string"},
        "sample_count": {},
        "schema_hash": {},
        "finalized": {"type": "boolean"},
        "created_block": {"$ref": "#/components/schemas/Uint"},
        "statistics": {"type": "object"}
      }
    },
    "ModelRecord": {
      "type": "object",
      "required": ["contract_address", "owner", "finalized"],
      "properties": {
        "contract_address": {"$ref": "#/components/schemas/Address"},
        "owner": {"$ref": "#/components/schemas/Address"},
        "finalized": {"type": "boolean"},
        "created_block": {"$ref": "#/components/schemas/Uint"},
        "model_params": {"type": "object"},
        "data_params": {"type": "object"},
        "developer_id": {"type": "string"},
        "hash": {},
        "model_id": {"type": "string"},
        "metrics_hash": {"$ref": "#/components/schemas/Hash32"}
      }
    }
  },
  "responses": {
    "Invalid": {
      "description": "A field of the body, the metadata part, the path or the query is missing or invalid (`field` names it), or the body is unusable.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "NotFound": {
      "description": "No such record (a record of another organization reads as absent).",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "Conflict": {
      "description": "The record's state refuses the request (already finalized; the contract reverted, `reason`), or the stored bytes do not match the chain (`\"error\": \"integrity\"`, nothing served).",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "TooLarge": {
      "description": "The body (or the metadata part) is larger than the configured limit.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "UnsupportedMediaType": {
      "description": "The Content-Type is not one the route takes.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "IncompleteUpload": {
      "description": "The upload was cut off or its multipart body is truncated.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "NotOwner": {
      "description": "The record's owner is not an account of this node.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "LedgerUnavailable": {
      "description": "The ledger could not be reached or answered with an error.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "RangeNotSatisfiable": {
      "description": "The Range lies wholly past the end of the object (`Content-Range: bytes */size`).",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    }
  }
"""#
}
