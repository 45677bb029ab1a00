# pragma version 0.4.3
# A contract that is not a ModelRecord but answers two of its getters, owner() and
# weightsHash(): what an auditor pointed at the wrong address (or at an impostor) meets.
owner: public(address)
weightsHash: public(bytes32)

@deploy
def __init__():
    self.owner = msg.sender
    self.weightsHash = keccak256("look-alike")
