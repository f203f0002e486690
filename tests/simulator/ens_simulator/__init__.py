"""A local simulator of the Alibaba Cloud ENS (Edge Node Service) API, version 2017-11-10.

The official SDK (``alibabacloud_ens20171110``) talks to it unchanged through
``Config(endpoint='127.0.0.1:PORT', protocol='http', access_key_id=..., access_key_secret=...)``.
Stdlib only.  See ``tests/simulator/README.md``.
"""

from .fleet import DEFAULT_CREDENTIALS, FIXTURES_DIR, FixtureError, generate_fleet, load_fixture
from .model import ApiError, EnsModel
from .control_client import ControlClient
from .server import SimulatorHandle, make_server, start_in_thread
from .simulator import Simulator

__version__ = '1.0.0'

__all__ = [
    'ApiError',
    'ControlClient',
    'DEFAULT_CREDENTIALS',
    'EnsModel',
    'FIXTURES_DIR',
    'FixtureError',
    'Simulator',
    'SimulatorHandle',
    'generate_fleet',
    'load_fixture',
    'make_server',
    'start_in_thread',
]
