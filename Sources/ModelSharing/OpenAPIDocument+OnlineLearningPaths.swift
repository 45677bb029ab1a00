// OpenAPI paths of the online-learning routes (Sources/OnlineLearning): service declarations,
// readings over HTTP, KServe V1 and Open Inference Protocol V2 inference.
// The members of a JSON object, written by hand as data; OpenAPIDocument.swift joins the pieces.

extension OpenAPIDocument {
    static let onlineLearningPaths = #"""
  "/ol": {
    "post": {
      "operationId": "olDeclare",
      "tags": ["online-learning"],
      "summary": "Declare and start an online-learning service",
      "requestBody": {
        "required": true,
        "content": {"application/json": {"schema": {
          "type": "object",
          "required": ["name", "organization_id"],
          "properties": {
            "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
            "model": {"type": "string", "description": "\"energy-gru\" (fresh weights) or the id of a registered, final model of the organization"},
            "sources": {"type": "array", "items": {"type": "string"}, "description": "\"http\", \"mqtt://host:port/topic\", \"kafka://host:port/topic\""},
            "organization_id": {"type": "string"},
            "developer_id": {"type": "string"},
            "transformer": {"type": "object", "properties": {
              "lateness_seconds": {"type": "number"}, "window": {"type": "integer"}, "horizon": {"type": "integer"},
              "max_hours": {"type": "integer"}, "fields": {"type": "object"}}},
            "batch": {"type": "object", "properties": {"hours": {"type": "integer"}, "readings": {"type": "integer"}}},
            "training": {"type": "object", "properties": {
              "seed": {"type": "integer"}, "epochs_per_step": {"type": "integer"}, "max_batches_per_step": {"type": "integer"},
              "validation_fraction": {"type": "number"}}},
            "snapshot": {"type": "object", "properties": {"min_relative_improvement": {"type": "number"}, "min_interval_seconds": {"type": "number"}}},
            "explainer": {"type": "boolean"}
          }
        }}}
      },
      "responses": {
        "201": {"description": "Started", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OnlineService"}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    },
    "get": {
      "operationId": "olList",
      "tags": ["online-learning"],
      "summary": "The organization's online-learning services",
      "parameters": [{"name": "organization_id", "in": "query", "schema": {"type": "string"}}],
      "responses": {
        "200": {"description": "Services", "content": {"application/json": {"schema": {
          "type": "object", "required": ["services"],
          "properties": {"services": {"type": "array", "items": {"$ref": "#/components/schemas/OnlineService"}}}}}}}
      }
    }
  },
  "/ol/{name}": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "get": {
      "operationId": "olGet",
      "tags": ["online-learning"],
      "summary": "A service's declaration, progress and snapshot chain",
      "responses": {
        "200": {"description": "The service", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OnlineService"}}}},
        "404": {"$ref": "#/components/responses/NotFound"}
      }
    },
    "delete": {
      "operationId": "olDelete",
      "tags": ["online-learning"],
      "summary": "Stop a service and delete its state (anchored snapshots stay)",
      "responses": {
        "200": {"description": "Removed", "content": {"application/json": {"schema": {"type": "object", "required": ["removed"], "properties": {"removed": {"type": "string"}}}}}},
        "404": {"$ref": "#/components/responses/NotFound"}
      }
    }
  },
  "/ol/{name}/data": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "post": {
      "operationId": "olData",
      "tags": ["online-learning"],
      "summary": "Readings over HTTP: one reading or an array of them",
      "requestBody": {
        "required": true,
        "content": {"application/json": {"schema": {"oneOf": [
          {"$ref": "#/components/schemas/Reading"},
          {"type": "array", "items": {"$ref": "#/components/schemas/Reading"}}
        ]}}}
      },
      "responses": {
        "200": {"description": "Kept (written before the answer); bad readings of an array dropped and counted by reason",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IngestReport"}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/v1/models/{name}": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "get": {
      "operationId": "kserveV1Ready",
      "tags": ["inference"],
      "summary": "KServe V1 readiness: `ready` turns true once a snapshot is anchored",
      "responses": {
        "200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelReady"}}}},
        "404": {"$ref": "#/components/responses/NotFound"}
      }
    }
  },
  "/v1/models/{name}:predict": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
                   {"name": "X-MLedger-Receipt", "in": "header", "schema": {"type": "string", "enum": ["1"]}}],
    "post": {
      "operationId": "kserveV1Predict",
      "tags": ["inference"],
      "summary": "KServe V1 predict: windows of raw hourly values → 24-hour forecasts with 90 % intervals; [] → the last forecast",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["instances"],
        "properties": {"instances": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}}}}}},
      "responses": {
        "200": {"description": "Forecasts", "content": {"application/json": {"schema": {
          "type": "object", "required": ["predictions", "intervals", "model_version"],
          "properties": {
            "predictions": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
            "intervals": {"type": "object"},
            "model_version": {"type": "string"},
            "receipt": {"$ref": "#/components/schemas/InferenceReceipt"}}}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/NotReady"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/v1/models/{name}:explain": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
                   {"name": "X-MLedger-Receipt", "in": "header", "schema": {"type": "string", "enum": ["1"]}}],
    "post": {
      "operationId": "kserveV1Explain",
      "tags": ["inference"],
      "summary": "Attributions per input hour (when an explainer is installed and the service's explainer is on)",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["instances"],
        "properties": {"instances": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}}}}}},
      "responses": {
        "200": {"description": "Attributions", "content": {"application/json": {"schema": {"type": "object", "required": ["explanations"]}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "501": {"$ref": "#/components/responses/NotInstalled"}
      }
    }
  },
  "/v1/models/{name}/diagnostics": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "get": {
      "operationId": "kserveV1Diagnostics",
      "tags": ["inference"],
      "summary": "Normality tests of the serving snapshot's validation residuals (when installed)",
      "responses": {
        "200": {"description": "Test results", "content": {"application/json": {"schema": {"type": "object", "required": ["tests"]}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/NotReady"},
        "501": {"$ref": "#/components/responses/NotInstalled"}
      }
    }
  },
  "/v2/health/live": {
    "get": {
      "operationId": "oipLive", "tags": ["inference"], "summary": "Open Inference Protocol: server live",
      "responses": {"200": {"description": "Live", "content": {"application/json": {"schema": {"type": "object", "required": ["live"], "properties": {"live": {"type": "boolean"}}}}}}}
    }
  },
  "/v2/health/ready": {
    "get": {
      "operationId": "oipReady", "tags": ["inference"], "summary": "Open Inference Protocol: server ready",
      "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"type": "object", "required": ["ready"], "properties": {"ready": {"type": "boolean"}}}}}}}
    }
  },
  "/v2/models/{name}": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "get": {
      "operationId": "oipModelMetadata", "tags": ["inference"], "summary": "Open Inference Protocol: model metadata",
      "responses": {
        "200": {"description": "Metadata", "content": {"application/json": {"schema": {
          "type": "object", "required": ["name", "versions", "platform", "inputs", "outputs"],
          "properties": {"name": {"type": "string"}, "versions": {"type": "array", "items": {"type": "string"}}, "platform": {"type": "string"},
                         "inputs": {"type": "array"}, "outputs": {"type": "array"}}}}}},
        "404": {"$ref": "#/components/responses/NotFound"}
      }
    }
  },
  "/v2/models/{name}/ready": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "get": {
      "operationId": "oipModelReady", "tags": ["inference"], "summary": "Open Inference Protocol: model ready",
      "responses": {
        "200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelReady"}}}},
        "404": {"$ref": "#/components/responses/NotFound"}
      }
    }
  },
  "/v2/models/{name}/infer": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
                   {"name": "X-MLedger-Receipt", "in": "header", "schema": {"type": "string", "enum": ["1"]}}],
    "post": {
      "operationId": "oipInfer", "tags": ["inference"],
      "summary": "Open Inference Protocol: one FP32/FP64 input [N, window] → forecast, lower_90, upper_90 [N, 24]",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["inputs"],
        "properties": {
          "id": {"type": "string"},
          "inputs": {"type": "array", "items": {"$ref": "#/components/schemas/InferTensor"}}}}}}},
      "responses": {
        "200": {"description": "Outputs", "content": {"application/json": {"schema": {
          "type": "object", "required": ["model_name", "outputs"],
          "properties": {
            "model_name": {"type": "string"}, "model_version": {"type": "string"}, "id": {"type": "string"},
            "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/InferTensor"}},
            "receipt": {"$ref": "#/components/schemas/InferenceReceipt"}}}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "409": {"$ref": "#/components/responses/NotReady"}
      }
    }
  }
"""#

    /// Schemas and responses of the online-learning paths, joined into `components`.
    static let onlineLearningSchemas = #"""
    "OnlineService": {
      "type": "object",
      "required": ["spec", "ready", "snapshots", "training_steps"],
      "properties": {
        "spec": {"type": "object"}, "ready": {"type": "boolean"}, "training_steps": {"type": "integer"},
        "snapshots": {"type": "array", "items": {"type": "object"}}, "serving": {"type": ["string", "null"]}
      }
    },
    "Reading": {
      "type": "object",
      "required": ["timestamp", "voltage", "current", "power_factor"],
      "properties": {
        "timestamp": {"type": ["number", "string"], "description": "Unix seconds or RFC 3339"},
        "voltage": {"type": "array", "items": {"type": "number"}},
        "current": {"type": "array", "items": {"type": "number"}},
        "power_factor": {"type": "array", "items": {"type": "number"}}
      }
    },
    "IngestReport": {
      "type": "object",
      "required": ["accepted", "dropped", "closed_hours", "gaps"],
      "properties": {"accepted": {"type": "integer"}, "dropped": {"type": "object"}, "closed_hours": {"type": "integer"}, "gaps": {"type": "array"}}
    },
    "ModelReady": {
      "type": "object", "required": ["name", "ready"],
      "properties": {"name": {"type": "string"}, "ready": {"type": "boolean"}}
    },
    "InferTensor": {
      "type": "object", "required": ["name", "shape", "datatype", "data"],
      "properties": {"name": {"type": "string"}, "shape": {"type": "array", "items": {"type": "integer"}}, "datatype": {"type": "string"}, "data": {"type": "array"}}
    },
    "InferenceReceipt": {
      "type": "object",
      "required": ["message", "signature", "signer", "model_record", "weights_hash", "input_keccak", "output_keccak", "block_number", "time"],
      "properties": {
        "message": {"type": "string", "description": "The signed text: canonical JSON of the other fields but message, signature and signer"},
        "signature": {"type": "string", "description": "EIP-191 personal-message signature, 65 bytes r‖s‖v (v = 27/28)"},
        "signer": {"$ref": "#/components/schemas/Address"}, "model_record": {"$ref": "#/components/schemas/Address"},
        "weights_hash": {"type": "string"}, "input_keccak": {"type": "string"}, "output_keccak": {"type": "string"},
        "block_number": {"type": "integer"}, "time": {"type": "integer"}, "model": {"type": "string"}
      }
    }
"""#

    static let onlineLearningResponses = #"""
    "NotReady": {
      "description": "The model has no anchored snapshot yet, or the latest window is not all buffered (`instances: []`).",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    },
    "NotInstalled": {
      "description": "This build has no explainer or diagnostics installed.",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    }
"""#
}
