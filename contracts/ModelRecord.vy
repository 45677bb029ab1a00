# pragma version 0.4.3
# @title ModelRecord
# @notice MLedger's on-chain record of one model: how it was made (architecture, hyper-parameters,
#         seeds, training recipe, datasets, parent) and, after training, the hashes of its weights
#         and metrics. The deployer is the owner (a company account); only the owner writes, and
#         `finalize` runs exactly once.
# @dev Lineage rules enforced at deployment: every cited dataset record is finalized and owned by
#      the deployer or shared with it; a parent model is finalized; a relation is given exactly
#      when a parent is. Bounds are documented in contracts/README.md.

MAX_ID_LENGTH: constant(uint256) = 128
MAX_BACKEND_LENGTH: constant(uint256) = 64
MAX_RECIPE_LENGTH: constant(uint256) = 256
MAX_HYPERPARAMETERS_LENGTH: constant(uint256) = 4096
MAX_SEEDS: constant(uint256) = 16
MAX_DATASETS: constant(uint256) = 16
MAX_DIMENSIONS: constant(uint256) = 8

# Relation of a model to its parent.
RELATION_NONE: constant(uint8) = 0
RELATION_TRANSLATED_FROM: constant(uint8) = 1
RELATION_FINE_TUNED_FROM: constant(uint8) = 2
RELATION_ONLINE_SNAPSHOT_OF: constant(uint8) = 3

interface CitableDataset:
    def canBeCitedBy(account: address) -> bool: view

interface ParentModel:
    def finalized() -> bool: view

event ModelRegistered:
    owner: indexed(address)
    parent: indexed(address)
    modelId: String[MAX_ID_LENGTH]
    relation: uint8
    unverified: bool
    architectureHash: bytes32
    hyperParametersHash: bytes32
    datasets: DynArray[address, MAX_DATASETS]

event ModelFinalized:
    owner: indexed(address)
    weightsHash: bytes32
    metricsHash: bytes32

event RecipeAnchored:
    owner: indexed(address)
    hyperParametersHash: bytes32
    seeds: DynArray[uint256, MAX_SEEDS]
    trainingRecipe: String[MAX_RECIPE_LENGTH]

owner: public(address)
modelId: public(String[MAX_ID_LENGTH])
developerId: public(String[MAX_ID_LENGTH])
backend: public(String[MAX_BACKEND_LENGTH])
architectureHash: public(bytes32)
hyperParameters: public(String[MAX_HYPERPARAMETERS_LENGTH])
hyperParametersHash: public(bytes32)
seeds: DynArray[uint256, MAX_SEEDS]
trainingRecipe: public(String[MAX_RECIPE_LENGTH])
datasets: DynArray[address, MAX_DATASETS]
inputShape: DynArray[uint256, MAX_DIMENSIONS]
outputShape: DynArray[uint256, MAX_DIMENSIONS]
parameterCount: public(uint256)
parent: public(address)
relation: public(uint8)
unverified: public(bool)
weightsHash: public(bytes32)
metricsHash: public(bytes32)
finalized: public(bool)
createdBlock: public(uint256)
# Root of the 64 KiB-chunk Keccak Merkle tree of the weights file (the rule of DatasetRecord's
# commitment), set with the weights hash by `finalizeWithArtifact`: a server can check each chunk
# of a download against it, where `weightsHash` covers only the whole file. Declared last so the
# slots of the variables above stay where audits of older records expect them.
artifactCommitment: public(bytes32)
# Set by `anchorRecipe`: the recipe a training service fixed before its first step (canonical
# hyper-parameters, seeds, trainer identity). Declared after `artifactCommitment` for the same
# reason: earlier slots keep their places.
recipeAnchored: public(bool)


@deploy
def __init__(
    modelId: String[MAX_ID_LENGTH],
    developerId: String[MAX_ID_LENGTH],
    backend: String[MAX_BACKEND_LENGTH],
    architectureHash: bytes32,
    hyperParameters: String[MAX_HYPERPARAMETERS_LENGTH],
    seeds: DynArray[uint256, MAX_SEEDS],
    trainingRecipe: String[MAX_RECIPE_LENGTH],
    datasets: DynArray[address, MAX_DATASETS],
    inputShape: DynArray[uint256, MAX_DIMENSIONS],
    outputShape: DynArray[uint256, MAX_DIMENSIONS],
    parameterCount: uint256,
    parent: address,
    relation: uint8,
    unverified: bool,
):
    assert relation <= RELATION_ONLINE_SNAPSHOT_OF, "bad relation"
    assert (parent == empty(address)) == (relation == RELATION_NONE), "parent and relation"
    for dataset: address in datasets:
        assert staticcall CitableDataset(dataset).canBeCitedBy(msg.sender), "dataset not citable"
    if parent != empty(address):
        assert staticcall ParentModel(parent).finalized(), "parent not finalized"

    self.owner = msg.sender
    self.modelId = modelId
    self.developerId = developerId
    self.backend = backend
    self.architectureHash = architectureHash
    self.hyperParameters = hyperParameters
    # The hash is computed here, so it always matches the stored canonical JSON.
    hyperParametersHash: bytes32 = keccak256(hyperParameters)
    self.hyperParametersHash = hyperParametersHash
    self.seeds = seeds
    self.trainingRecipe = trainingRecipe
    self.datasets = datasets
    self.inputShape = inputShape
    self.outputShape = outputShape
    self.parameterCount = parameterCount
    self.parent = parent
    self.relation = relation
    self.unverified = unverified
    self.createdBlock = block.number
    log ModelRegistered(
        owner=msg.sender,
        parent=parent,
        modelId=modelId,
        relation=relation,
        unverified=unverified,
        architectureHash=architectureHash,
        hyperParametersHash=hyperParametersHash,
        datasets=datasets,
    )


@internal
def _finalize(weightsHash: bytes32, metricsHash: bytes32):
    assert msg.sender == self.owner, "not owner"
    assert not self.finalized, "finalized"
    assert weightsHash != empty(bytes32), "no weights hash"
    self.weightsHash = weightsHash
    self.metricsHash = metricsHash
    self.finalized = True
    log ModelFinalized(owner=msg.sender, weightsHash=weightsHash, metricsHash=metricsHash)


@external
def finalize(weightsHash: bytes32, metricsHash: bytes32):
    """
    @notice Records the trained weights' hash (required) and the metrics' hash; runs once.
    """
    self._finalize(weightsHash, metricsHash)


@external
def finalizeWithArtifact(weightsHash: bytes32, metricsHash: bytes32, artifactCommitment: bytes32):
    """
    @notice `finalize`, plus the chunk commitment of the stored weights file (required here).
    """
    assert artifactCommitment != empty(bytes32), "no artifact commitment"
    self._finalize(weightsHash, metricsHash)
    self.artifactCommitment = artifactCommitment


@external
def anchorRecipe(hyperParameters: String[MAX_HYPERPARAMETERS_LENGTH], seeds: DynArray[uint256, MAX_SEEDS],
                 trainingRecipe: String[MAX_RECIPE_LENGTH]):
    """
    @notice Fixes the recipe of a controlled training run before it starts: the canonical
            hyper-parameters (their hash is recomputed here), the seeds and the trainer identity.
            Owner only, at most once, and only before `finalize`.
    """
    assert msg.sender == self.owner, "not owner"
    assert not self.finalized, "finalized"
    assert not self.recipeAnchored, "recipe anchored"
    self.hyperParameters = hyperParameters
    hyperParametersHash: bytes32 = keccak256(hyperParameters)
    self.hyperParametersHash = hyperParametersHash
    self.seeds = seeds
    self.trainingRecipe = trainingRecipe
    self.recipeAnchored = True
    log RecipeAnchored(owner=msg.sender, hyperParametersHash=hyperParametersHash, seeds=seeds, trainingRecipe=trainingRecipe)


@external
@view
def getSeeds() -> DynArray[uint256, MAX_SEEDS]:
    return self.seeds


@external
@view
def getDatasets() -> DynArray[address, MAX_DATASETS]:
    return self.datasets


@external
@view
def getInputShape() -> DynArray[uint256, MAX_DIMENSIONS]:
    return self.inputShape


@external
@view
def getOutputShape() -> DynArray[uint256, MAX_DIMENSIONS]:
    return self.outputShape
