// OpenAPI paths of the model-sharing routes (Sources/ModelSharing).
// The members of a JSON object, written by hand as data; OpenAPIDocument.swift joins the pieces.

extension OpenAPIDocument {
    static let sharingPaths = #"""
  "/dataset": {
    "post": {
      "operationId": "registerDataset",
      "tags": ["datasets"],
      "summary": "Register a dataset (JSON) or upload one with its file (multipart)",
      "description": "JSON: a dataset described without a file. The metadata part must come before the file; the file is streamed to the object store while its Keccak-256 and 64 KiB chunk tree are computed, then anchored; a failed step leaves nothing behind.",
      "requestBody": {
        "required": true,
        "content": {
          "application/json": {"schema": {"$ref": "#/components/schemas/DatasetRegistration"}},
          "multipart/form-data": {
            "schema": {
              "type": "object",
              "required": ["metadata", "file"],
              "properties": {
                "metadata": {"$ref": "#/components/schemas/DatasetMetadataPart"},
                "file": {
                  "type": "string",
                  "format": "binary",
                  "contentMediaType": "application/octet-stream",
                  "description": "The dataset file (any part with a filename); CSV and JSON-lines files are scanned for sample count, shape and statistics."
                }
              }
            },
            "encoding": {"metadata": {"contentType": "application/json"}}
          }
        }
      },
      "responses": {
        "200": {
          "description": "Registered",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["dataset_id"],
                "properties": {"dataset_id": {"type": "string", "format": "uuid"}}
              }
            }
          },
          "links": {
            "metadata": {"operationId": "datasetMetadata", "parameters": {"id": "$response.body#/dataset_id"}},
            "download": {"operationId": "downloadDataset", "parameters": {"id": "$response.body#/dataset_id"}}
          }
        },
        "400": {"$ref": "#/components/responses/IncompleteUpload"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/dataset/{id}": {
    "get": {
      "operationId": "downloadDataset",
      "tags": ["datasets"],
      "summary": "Download the dataset's file, verified against the chain",
      "description": "Every 64 KiB chunk is checked against the chunk tree anchored on chain before any of its bytes is sent; a mismatch before the first byte is a 409, a later one cuts the connection. One `Range: bytes=` range is honoured.",
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The record's id (a UUID, lower case).",
          "schema": {"type": "string", "format": "uuid"}
        },
        {
          "name": "organization_id",
          "in": "query",
          "required": false,
          "description": "The caller's organization (\"auth none\"): a record of another organization reads as absent.",
          "schema": {"type": "string"}
        },
        {
          "name": "Range",
          "in": "header",
          "required": false,
          "schema": {"type": "string"},
          "description": "`bytes=a-b`, `bytes=a-` or `bytes=-n`"
        }
      ],
      "responses": {
        "200": {
          "description": "The whole file",
          "headers": {"ETag": {"description": "The file's Keccak-256, quoted", "schema": {"type": "string"}}},
          "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}}
          }
        },
        "206": {
          "description": "The requested range",
          "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}}
          }
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "416": {"$ref": "#/components/responses/RangeNotSatisfiable"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/dataset/{id}/metadata": {
    "get": {
      "operationId": "datasetMetadata",
      "tags": ["datasets"],
      "summary": "A dataset's metadata",
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The record's id (a UUID, lower case).",
          "schema": {"type": "string", "format": "uuid"}
        },
        {
          "name": "organization_id",
          "in": "query",
          "required": false,
          "description": "The caller's organization (\"auth none\"): a record of another organization reads as absent.",
          "schema": {"type": "string"}
        }
      ],
      "responses": {
        "200": {
          "description": "The metadata",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DatasetMetadata"}}}
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/datasets": {
    "get": {
      "operationId": "listDatasets",
      "tags": ["datasets"],
      "summary": "The organization's datasets, newest first",
      "parameters": [
        {
          "name": "organization_id",
          "in": "query",
          "required": true,
          "description": "The caller's organization: only its records are listed.",
          "schema": {"type": "string", "minLength": 1}
        },
        {
          "name": "developer",
          "in": "query",
          "required": false,
          "description": "Only this developer's",
          "schema": {"type": "string"}
        },
        {
          "name": "status",
          "in": "query",
          "required": false,
          "description": "Only records in this state",
          "schema": {"type": "string", "enum": ["registered", "finalized"]}
        },
        {
          "name": "limit",
          "in": "query",
          "required": false,
          "description": "Page size",
          "schema": {"type": "integer", "minimum": 0, "maximum": 500, "default": 100}
        },
        {
          "name": "offset",
          "in": "query",
          "required": false,
          "description": "Rows to skip",
          "schema": {"type": "integer", "minimum": 0, "default": 0}
        }
      ],
      "responses": {
        "200": {
          "description": "One page",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["datasets", "limit", "offset"],
                "properties": {
                  "datasets": {"type": "array", "items": {"$ref": "#/components/schemas/DatasetMetadata"}},
                  "limit": {"type": "integer"},
                  "offset": {"type": "integer"}
                }
              }
            }
          }
        },
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/model": {
    "post": {
      "operationId": "registerModel",
      "tags": ["models"],
      "summary": "Register a model (JSON) or upload one with its weights (multipart)",
      "description": "JSON: the model is registered; without `res_hash` its weights follow with `PUT /model/{id}`. Multipart: `metadata` then `model` (the weights); the record is final at once. The metadata part must come before the file; the file is streamed to the object store while its Keccak-256 and 64 KiB chunk tree are computed, then anchored; a failed step leaves nothing behind.",
      "requestBody": {
        "required": true,
        "content": {
          "application/json": {"schema": {"$ref": "#/components/schemas/ModelRegistration"}},
          "multipart/form-data": {
            "schema": {
              "type": "object",
              "required": ["metadata", "model"],
              "properties": {
                "metadata": {"$ref": "#/components/schemas/ModelRegistration"},
                "model": {
                  "type": "string",
                  "format": "binary",
                  "contentMediaType": "application/octet-stream",
                  "description": "The trained weights. An ONNX graph (`.onnx`, or backend `onnx`) or a PyTorch checkpoint (`.pt`/`.pth`, or backend `pytorch`) is first imported by MLedger's importer: refused files are a 422 and nothing is stored or anchored; accepted ones are stored byte for byte under backend `onnx`/`pytorch`, with what the import found in `model_params.import`."
                },
                "architecture": {
                  "type": "object",
                  "description": "For a PyTorch checkpoint: its `mledger-ml/1` architecture (else `model_params.architecture`)."
                }
              }
            },
            "encoding": {"metadata": {"contentType": "application/json"}, "architecture": {"contentType": "application/json"}}
          }
        }
      },
      "responses": {
        "200": {
          "description": "Registered",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["model_id"],
                "properties": {"model_id": {"type": "string", "format": "uuid"}}
              }
            }
          },
          "links": {
            "metadata": {"operationId": "modelMetadata", "parameters": {"id": "$response.body#/model_id"}},
            "download": {"operationId": "downloadModel", "parameters": {"id": "$response.body#/model_id"}},
            "result": {"operationId": "uploadModelResult", "parameters": {"id": "$response.body#/model_id"}}
          }
        },
        "400": {"$ref": "#/components/responses/IncompleteUpload"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/model/unverified": {
    "post": {
      "operationId": "registerUnverifiedModel",
      "tags": ["models"],
      "summary": "Register a model trained outside the platform",
      "requestBody": {
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnverifiedModelRegistration"}}}
      },
      "responses": {
        "200": {
          "description": "Registered",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["model_id"],
                "properties": {"model_id": {"type": "string", "format": "uuid"}}
              }
            }
          },
          "links": {"metadata": {"operationId": "modelMetadataAlias", "parameters": {"id": "$response.body#/model_id"}}}
        },
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/model/{id}": {
    "get": {
      "operationId": "downloadModel",
      "tags": ["models"],
      "summary": "Download the model's file, verified against the chain",
      "description": "Every 64 KiB chunk is checked against the chunk tree anchored on chain before any of its bytes is sent; a mismatch before the first byte is a 409, a later one cuts the connection. One `Range: bytes=` range is honoured.",
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The record's id (a UUID, lower case).",
          "schema": {"type": "string", "format": "uuid"}
        },
        {
          "name": "organization_id",
          "in": "query",
          "required": false,
          "description": "The caller's organization (\"auth none\"): a record of another organization reads as absent.",
          "schema": {"type": "string"}
        },
        {
          "name": "Range",
          "in": "header",
          "required": false,
          "schema": {"type": "string"},
          "description": "`bytes=a-b`, `bytes=a-` or `bytes=-n`"
        }
      ],
      "responses": {
        "200": {
          "description": "The whole file",
          "headers": {"ETag": {"description": "The file's Keccak-256, quoted", "schema": {"type": "string"}}},
          "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}}
          }
        },
        "206": {
          "description": "The requested range",
          "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}}
          }
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "416": {"$ref": "#/components/responses/RangeNotSatisfiable"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    },
    "put": {
      "operationId": "uploadModelResult",
      "tags": ["models"],
      "summary": "Upload a registered model's trained weights and finalize it",
      "description": "Stores the weights, then finalizes the ModelRecord with their Keccak-256 and chunk commitment. A final model answers 409.",
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The record's id (a UUID, lower case).",
          "schema": {"type": "string", "format": "uuid"}
        },
        {
          "name": "organization_id",
          "in": "query",
          "required": false,
          "description": "The caller's organization (\"auth none\"): a record of another organization reads as absent.",
          "schema": {"type": "string"}
        }
      ],
      "requestBody": {
        "required": true,
        "content": {
          "multipart/form-data": {
            "schema": {
              "type": "object",
              "required": ["model"],
              "properties": {"model": {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}}
            }
          }
        }
      },
      "responses": {
        "200": {
          "description": "The model's metadata, now final",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelMetadata"}}}
        },
        "400": {"$ref": "#/components/responses/IncompleteUpload"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "403": {"$ref": "#/components/responses/NotOwner"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    }
  },
  "/model/{id}/metadata": {
    "get": {
      "operationId": "modelMetadata",
      "tags": ["models"],
      "summary": "A model's metadata",
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The record's id (a UUID, lower case).",
          "schema": {"type": "string", "format": "uuid"}
        },
        {
          "name": "organization_id",
          "in": "query",
          "required": false,
          "description": "The caller's organization (\"auth none\"): a record of another organization reads as absent.",
          "schema": {"type": "string"}
        }
      ],
      "responses": {
        "200": {
          "description": "The metadata",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelMetadata"}}}
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/metadata/{id}": {
    "get": {
      "operationId": "modelMetadataAlias",
      "tags": ["models"],
      "summary": "A model's metadata (the MLaaS client's path)",
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The record's id (a UUID, lower case).",
          "schema": {"type": "string", "format": "uuid"}
        },
        {
          "name": "organization_id",
          "in": "query",
          "required": false,
          "description": "The caller's organization (\"auth none\"): a record of another organization reads as absent.",
          "schema": {"type": "string"}
        }
      ],
      "responses": {
        "200": {
          "description": "The metadata",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelMetadata"}}}
        },
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/models": {
    "get": {
      "operationId": "listModels",
      "tags": ["models"],
      "summary": "The organization's models, newest first",
      "parameters": [
        {
          "name": "organization_id",
          "in": "query",
          "required": true,
          "description": "The caller's organization: only its records are listed.",
          "schema": {"type": "string", "minLength": 1}
        },
        {
          "name": "developer",
          "in": "query",
          "required": false,
          "description": "Only this developer's",
          "schema": {"type": "string"}
        },
        {
          "name": "status",
          "in": "query",
          "required": false,
          "description": "Only records in this state",
          "schema": {"type": "string", "enum": ["registered", "finalized"]}
        },
        {
          "name": "dataset",
          "in": "query",
          "required": false,
          "description": "Only models citing this dataset",
          "schema": {"type": "string", "format": "uuid"}
        },
        {
          "name": "limit",
          "in": "query",
          "required": false,
          "description": "Page size",
          "schema": {"type": "integer", "minimum": 0, "maximum": 500, "default": 100}
        },
        {
          "name": "offset",
          "in": "query",
          "required": false,
          "description": "Rows to skip",
          "schema": {"type": "integer", "minimum": 0, "default": 0}
        }
      ],
      "responses": {
        "200": {
          "description": "One page",
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": ["models", "limit", "offset"],
                "properties": {
                  "models": {"type": "array", "items": {"$ref": "#/components/schemas/ModelMetadata"}},
                  "limit": {"type": "integer"},
                  "offset": {"type": "integer"}
                }
              }
            }
          }
        },
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  }
"""#
}
