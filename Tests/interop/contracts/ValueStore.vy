# pragma version ^0.4.3
# A small contract for the MLedger interop tests: stores a value, emits an event, and
# reverts with a reason for one value (so tests see revert data).

event Stored:
    setter: indexed(address)
    value: uint256

stored: public(uint256)
owner: public(address)


@deploy
def __init__(initial: uint256):
    self.stored = initial
    self.owner = msg.sender


@external
def store(new_value: uint256):
    assert new_value != 13, "unlucky value"
    self.stored = new_value
    log Stored(setter=msg.sender, value=new_value)
