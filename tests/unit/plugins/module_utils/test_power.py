# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._power import (
    DONE,
    REBOOT,
    START,
    STOP,
    WAIT,
    decide,
    will_change,
)


@pytest.mark.parametrize("state,status,called,needs_reboot,action", [
    ("stopped", "Stopped", False, False, DONE),
    ("stopped", "Running", False, False, STOP),
    ("stopped", "Running", True, False, WAIT),
    ("stopped", "Stopping", False, False, WAIT),
    ("stopped", "Starting", False, False, WAIT),
    ("stopped", "Expired", False, False, WAIT),
    ("running", "Running", False, False, DONE),
    ("running", "Stopped", False, False, START),
    ("running", "Stopping", False, False, WAIT),
    ("running", "Starting", False, False, WAIT),
    ("restarted", "Running", False, True, REBOOT),
    ("restarted", "Running", True, True, DONE),
    ("restarted", "Running", False, False, DONE),
    ("restarted", "Stopped", False, False, START),
    ("restarted", "Stopping", True, True, WAIT),
])
def test_decide(state, status, called, needs_reboot, action):
    assert decide(state, status, called, needs_reboot) == action


@pytest.mark.parametrize("state,status,changes", [
    ("stopped", "Stopped", False), ("stopped", "Stopping", False), ("stopped", "Running", True), ("stopped", "Starting", True),
    ("running", "Running", False), ("running", "Starting", False), ("running", "Stopped", True), ("running", "Stopping", True),
    ("restarted", "Running", True), ("restarted", "Starting", False), ("running", "Pending", True),
])
def test_will_change(state, status, changes):
    assert will_change(state, status) is changes
