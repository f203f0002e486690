"""Helpers shared by the simulator tests: a hand-moved clock, SDK errors, waits and reads of the simulator's state."""

import time

import pytest
from alibabacloud_ens20171110 import models as ens_models
from Tea.exceptions import TeaException


class HandClock:
    """A clock that moves only when told to (near the real time by default, so signatures stay valid)."""

    def __init__(self, now=None):
        self.now = time.time() if now is None else now

    def __call__(self):
        return self.now


def error_of(func, *args, **kwargs):
    """Call ``func``; return the TeaException it must raise."""
    with pytest.raises(TeaException) as info:
        func(*args, **kwargs)
    return info.value


def wait_for(predicate, timeout=10.0):
    """Poll ``predicate`` until it is true or ``timeout`` has passed; return its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def snapshot(sim):
    """The whole fleet as the model holds it, without the time it was taken."""
    state = sim.model.state()
    del state['now']
    return state


def eni_read(client, eni_id):
    """``(Status, InstanceId)`` of an ENI as DescribeNetworkInterfaces answers."""
    body = client.describe_network_interfaces(ens_models.DescribeNetworkInterfacesRequest(network_interface_id=eni_id)).body
    item = body.network_interface_sets.network_interface_set[0]
    return item.status, item.instance_id


def read_outcomes(read, count):
    """Call ``read()`` ``count`` times; return the list of error codes (None for success)."""
    result = []
    for _call in range(count):
        try:
            read()
            result.append(None)
        except TeaException as exc:
            result.append(exc.code)
    return result
