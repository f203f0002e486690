"""The ``sim`` and ``client`` fixtures of the simulator tests, and the folder of their shared helpers on ``sys.path``.

A test module sets ``SIM_TRANSITION_SECONDS`` to reset the simulator with those transition times, and
``SIM_HOLD_ATTACHING = True`` to hold the default fixture's mid-attach ENI in Attaching (stable snapshots however
slow the machine is); a module that needs another simulator defines its own ``sim`` and keeps ``client``.
"""

import os
import sys

import pytest

# sim_testing.py sits beside this file; under ansible-test the test modules are imported as a package, not from here
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture
def sim(request, ens_simulator_fresh):
    """The shared simulator, reset to the default fixture as its test module asks."""
    transition_seconds = getattr(request.module, 'SIM_TRANSITION_SECONDS', None)
    if transition_seconds is not None:
        ens_simulator_fresh.simulator.reset(fixture='default', transition_seconds=transition_seconds)
    if getattr(request.module, 'SIM_HOLD_ATTACHING', False):
        ens_simulator_fresh.control.set_status('eni-sim-attaching-01', 'Attaching', -1)
    return ens_simulator_fresh


@pytest.fixture
def client(sim, ens_sdk_client_factory):
    """An official SDK client talking to ``sim``."""
    return ens_sdk_client_factory(sim)
