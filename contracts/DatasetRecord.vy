# pragma version 0.4.3
# @title DatasetRecord
# @notice MLedger's on-chain record of one dataset: who registered it, what its bytes commit to,
#         its shape and per-feature statistics. The deployer is the owner (a company account).
#         Only the owner writes, and nothing changes once `finalize` has run, except the list of
#         accounts the owner shares the record with (sharing lets another company's models cite it).
# @dev Bounds (documented in contracts/README.md): dataset id <= 128 bytes, sample shape <= 8
#      dimensions, statistics for <= 128 features. Statistics are fixed-point int256 values:
#      real value = stored / statsScale.

MAX_ID_LENGTH: constant(uint256) = 128
MAX_DIMENSIONS: constant(uint256) = 8
MAX_FEATURES: constant(uint256) = 128

struct FeatureStatistics:
    count: uint256
    mean: int256
    variance: int256
    minimum: int256
    maximum: int256

event DatasetRegistered:
    owner: indexed(address)
    datasetId: String[MAX_ID_LENGTH]
    commitment: bytes32

event ContentUpdated:
    commitment: bytes32
    sizeBytes: uint256
    sampleCount: uint256
    sampleShape: DynArray[uint256, MAX_DIMENSIONS]
    schemaHash: bytes32

event StatisticsUpdated:
    statsScale: uint256
    featureCount: uint256

event DatasetFinalized:
    owner: indexed(address)
    commitment: bytes32

event SharingChanged:
    grantee: indexed(address)
    shared: bool

owner: public(address)
datasetId: public(String[MAX_ID_LENGTH])
commitment: public(bytes32)
sizeBytes: public(uint256)
sampleCount: public(uint256)
sampleShape: DynArray[uint256, MAX_DIMENSIONS]
statsScale: public(uint256)
statistics: DynArray[FeatureStatistics, MAX_FEATURES]
schemaHash: public(bytes32)
finalized: public(bool)
createdBlock: public(uint256)
sharedWith: public(HashMap[address, bool])


@deploy
def __init__(
    datasetId: String[MAX_ID_LENGTH],
    commitment: bytes32,
    sizeBytes: uint256,
    sampleCount: uint256,
    sampleShape: DynArray[uint256, MAX_DIMENSIONS],
    schemaHash: bytes32,
):
    self.owner = msg.sender
    self.datasetId = datasetId
    self.createdBlock = block.number
    self._setContent(commitment, sizeBytes, sampleCount, sampleShape, schemaHash)
    log DatasetRegistered(owner=msg.sender, datasetId=datasetId, commitment=commitment)


@internal
def _setContent(
    commitment: bytes32,
    sizeBytes: uint256,
    sampleCount: uint256,
    sampleShape: DynArray[uint256, MAX_DIMENSIONS],
    schemaHash: bytes32,
):
    self.commitment = commitment
    self.sizeBytes = sizeBytes
    self.sampleCount = sampleCount
    self.sampleShape = sampleShape
    self.schemaHash = schemaHash
    log ContentUpdated(
        commitment=commitment,
        sizeBytes=sizeBytes,
        sampleCount=sampleCount,
        sampleShape=sampleShape,
        schemaHash=schemaHash,
    )


@internal
@view
def _onlyOwnerWhileOpen():
    assert msg.sender == self.owner, "not owner"
    assert not self.finalized, "finalized"


@external
def updateContent(
    commitment: bytes32,
    sizeBytes: uint256,
    sampleCount: uint256,
    sampleShape: DynArray[uint256, MAX_DIMENSIONS],
    schemaHash: bytes32,
):
    """
    @notice Replaces the content description (commitment, size, samples, shape, schema).
    """
    self._onlyOwnerWhileOpen()
    self._setContent(commitment, sizeBytes, sampleCount, sampleShape, schemaHash)


@external
def setStatistics(statsScale: uint256, statistics: DynArray[FeatureStatistics, MAX_FEATURES]):
    """
    @notice Replaces the per-feature statistics; values are fixed-point with `statsScale`.
    """
    self._onlyOwnerWhileOpen()
    assert statsScale > 0, "zero scale"
    self.statsScale = statsScale
    self.statistics = statistics
    log StatisticsUpdated(statsScale=statsScale, featureCount=len(statistics))


@external
def finalize():
    """
    @notice Freezes the record; a commitment is required. Runs once.
    """
    self._onlyOwnerWhileOpen()
    assert self.commitment != empty(bytes32), "no commitment"
    self.finalized = True
    log DatasetFinalized(owner=msg.sender, commitment=self.commitment)


@external
def share(grantee: address):
    """
    @notice Lets `grantee`'s models cite this dataset (allowed before and after finalize).
    """
    assert msg.sender == self.owner, "not owner"
    assert grantee != empty(address), "zero grantee"
    self.sharedWith[grantee] = True
    log SharingChanged(grantee=grantee, shared=True)


@external
def unshare(grantee: address):
    """
    @notice Withdraws a grant; models already deployed keep their citation.
    """
    assert msg.sender == self.owner, "not owner"
    self.sharedWith[grantee] = False
    log SharingChanged(grantee=grantee, shared=False)


@external
@view
def getSampleShape() -> DynArray[uint256, MAX_DIMENSIONS]:
    return self.sampleShape


@external
@view
def getStatistics() -> DynArray[FeatureStatistics, MAX_FEATURES]:
    return self.statistics


@external
@view
def canBeCitedBy(account: address) -> bool:
    """
    @notice True when a model deployed by `account` may cite this record.
    """
    return self.finalized and (account == self.owner or self.sharedWith[account])
