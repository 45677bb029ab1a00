// OpenAPI paths of the training routes (Sources/Training), which mount beside model sharing.
// The members of a JSON object, written by hand as data; OpenAPIDocument.swift joins the pieces.

extension OpenAPIDocument {
    static let trainingJobSchema = #"""
{
  "type": "object",
  "required": ["job_id", "model_id", "status", "params", "params_hash", "trainer", "progress", "log_tail", "result", "error", "created"],
  "properties": {
    "job_id": {"type": "string", "format": "uuid"},
    "model_id": {"type": "string", "format": "uuid"},
    "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
    "params": {"type": "object", "description": "The resolved parameters (defaults filled in): the canonical JSON anchored as the record's hyperParameters."},
    "params_hash": {"$ref": "#/components/schemas/Hash32"},
    "trainer": {"type": "string", "description": "The model's train_image."},
    "progress": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "epoch": {"type": "integer"}, "epochs": {"type": "integer"},
        "epochs_done": {"type": "integer", "minimum": 0, "description": "Epochs finished (written to the registry at the end of each, so it survives a restart)."},
        "step": {"type": "integer"}, "steps": {"type": "integer"},
        "loss": {"type": ["number", "string", "null"]}, "val_loss": {"type": ["number", "string", "null"]}, "eta_s": {"type": ["number", "null"]}
      }
    },
    "log_tail": {"type": "array", "items": {"type": "string"}},
    "result": {
      "type": ["object", "null"],
      "properties": {
        "weights_hash": {"$ref": "#/components/schemas/Hash32"},
        "metrics_hash": {"$ref": "#/components/schemas/Hash32"},
        "chunk_root": {"$ref": "#/components/schemas/Hash32"},
        "size_bytes": {"type": "integer"},
        "metrics": {"type": "object"}
      }
    },
    "error": {"type": ["string", "null"]},
    "created": {"type": "string", "format": "date-time"},
    "started": {"type": ["string", "null"], "format": "date-time"},
    "finished": {"type": ["string", "null"], "format": "date-time"}
  }
}
"""#

    static let trainingIdParameter = #"""
{"name": "id", "in": "path", "required": true, "description": "A UUID, lower case.", "schema": {"type": "string", "format": "uuid"}},
        {"name": "organization_id", "in": "query", "required": false, "description": "The caller's organization (\"auth none\"): another organization's model or job reads as absent.", "schema": {"type": "string"}}
"""#

    static var trainingPaths: String {
        #"""
  "/train/{id}": {
    "post": {
      "operationId": "trainModel",
      "tags": ["training"],
      "summary": "Queue a training job for the model `id` (idempotent per model and canonical parameters)",
      "description": "The recipe (canonical parameters, seeds, trainer identity) is anchored on the model's record before the first step; on success the weights are stored and the record finalized. Posting the same parameters again returns the existing job (200).",
      "parameters": [\#(trainingIdParameter)],
      "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "description": "Trainer parameters; energy-gru takes epochs, seed, batch_size, lr, validation_fraction, early_stopping_patience, column."}}}},
      "responses": {
        "202": {"description": "Queued", "content": {"application/json": {"schema": {"type": "object", "required": ["job_id", "model_id", "status"], "properties": {"job_id": {"type": "string", "format": "uuid"}, "model_id": {"type": "string", "format": "uuid"}, "status": {"type": "string"}, "params_hash": {"$ref": "#/components/schemas/Hash32"}}}}}},
        "200": {"description": "The job that exists for these parameters", "content": {"application/json": {"schema": {"type": "object", "required": ["job_id", "model_id", "status"], "properties": {"job_id": {"type": "string", "format": "uuid"}, "model_id": {"type": "string", "format": "uuid"}, "status": {"type": "string"}, "params_hash": {"$ref": "#/components/schemas/Hash32"}, "existing": {"type": "boolean"}}}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "413": {"$ref": "#/components/responses/TooLarge"},
        "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
        "422": {"$ref": "#/components/responses/Invalid"},
        "502": {"$ref": "#/components/responses/LedgerUnavailable"}
      }
    },
    "get": {
      "operationId": "trainingJob",
      "tags": ["training"],
      "summary": "A training job: status, progress, times, log tail, result",
      "parameters": [\#(trainingIdParameter)],
      "responses": {
        "200": {"description": "The job", "content": {"application/json": {"schema": \#(trainingJobSchema)}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    },
    "delete": {
      "operationId": "cancelTrainingJob",
      "tags": ["training"],
      "summary": "Cancel a job: a queued one at once (200), a running one at its next step or by killing its process group (202)",
      "parameters": [\#(trainingIdParameter)],
      "responses": {
        "200": {"description": "Cancelled", "content": {"application/json": {"schema": \#(trainingJobSchema)}}},
        "202": {"description": "Stopping", "content": {"application/json": {"schema": \#(trainingJobSchema)}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/train/{id}/events": {
    "get": {
      "operationId": "trainingJobEvents",
      "tags": ["training"],
      "summary": "Server-Sent Events: `state` (the job), then `progress` and `log`, and a final `state`",
      "parameters": [\#(trainingIdParameter)],
      "responses": {
        "200": {"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  },
  "/train": {
    "get": {
      "operationId": "trainingJobs",
      "tags": ["training"],
      "summary": "Training jobs of a model (`model_id`) or of the caller's organization, newest first",
      "parameters": [
        {"name": "model_id", "in": "query", "required": false, "schema": {"type": "string", "format": "uuid"}},
        {"name": "organization_id", "in": "query", "required": false, "schema": {"type": "string"}},
        {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 500}},
        {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}}
      ],
      "responses": {
        "200": {"description": "Jobs", "content": {"application/json": {"schema": {"type": "object", "required": ["jobs"], "properties": {"jobs": {"type": "array", "items": \#(trainingJobSchema)}}}}}},
        "404": {"$ref": "#/components/responses/NotFound"},
        "422": {"$ref": "#/components/responses/Invalid"}
      }
    }
  }
"""#
    }
}
