"""Shared pytest fixtures: the local ENS API simulator and official-SDK clients pointed at it."""

import os
import sys

import pytest

SIMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'simulator')
if SIMULATOR_DIR not in sys.path:
    sys.path.insert(0, SIMULATOR_DIR)

# Loopback traffic to the simulator must never go through a proxy.
for _name in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'):
    os.environ.pop(_name, None)

SIM_ACCESS_KEY_ID = 'LTAIsimulatorKey0001'
SIM_ACCESS_KEY_SECRET = 'simSecret-Q7v9Xk2pRt'


def _make_sdk_client(sim, access_key_id=SIM_ACCESS_KEY_ID, access_key_secret=SIM_ACCESS_KEY_SECRET, security_token=None, **config):
    """Return an official ``alibabacloud_ens20171110`` client talking to ``sim`` over HTTP."""
    from alibabacloud_ens20171110.client import Client
    from alibabacloud_tea_openapi.models import Config

    return Client(Config(access_key_id=access_key_id, access_key_secret=access_key_secret, security_token=security_token,
                         endpoint=sim.endpoint, protocol='http', **config))


@pytest.fixture
def ens_simulator_factory():
    """Return ``start(fixture='default', **opts)`` that starts simulators (stopped after the test).

    ``opts`` are those of :func:`ens_simulator.start_in_thread`: transition_seconds, faults, call_log, port.
    """
    import ens_simulator

    handles = []

    def start(fixture='default', **opts):
        handle = ens_simulator.start_in_thread(fixture=fixture, **opts)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()


@pytest.fixture
def ens_simulator(ens_simulator_factory):
    """A simulator on a free loopback port serving the default fixture (``.url``, ``.endpoint``, ``.model``, ``.control``)."""
    return ens_simulator_factory('default')


@pytest.fixture(scope='session')
def ens_simulator_shared():
    """One simulator for the whole session (the SDK pays ~50 ms of TLS setup per new endpoint, even over http)."""
    import ens_simulator

    handle = ens_simulator.start_in_thread(fixture='default')
    yield handle
    handle.stop()


@pytest.fixture
def ens_simulator_fresh(ens_simulator_shared):
    """The shared simulator reset to the default fixture, no faults and an empty call log.

    Call ``ens_simulator_fresh.simulator.reset(fixture=..., transition_seconds=..., faults=...)`` for another setup.
    """
    ens_simulator_shared.simulator.reset(fixture='default')
    return ens_simulator_shared


@pytest.fixture
def ens_sdk_client_factory():
    """Return ``make(sim, access_key_id=..., access_key_secret=..., security_token=None)`` building SDK clients."""
    return _make_sdk_client


@pytest.fixture
def ens_sdk_client(ens_simulator):
    """The official SDK client with the simulator's default credentials, pointed at ``ens_simulator``."""
    return _make_sdk_client(ens_simulator)
