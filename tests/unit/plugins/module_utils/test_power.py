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
    stuck_rule,
    will_change,
)


@pytest.mark.parametrize("state,status,needs_reboot,action", [
    ("stopped", "Stopped", False, DONE),
    ("stopped", "Running", False, STOP),
    ("stopped", "Stopping", False, WAIT),
    ("stopped", "Starting", False, WAIT),
    ("stopped", "Creating", False, WAIT),
    ("stopped", "Migrating", False, WAIT),
    ("running", "Running", False, DONE),
    ("running", "Stopped", False, START),
    ("running", "Stopping", False, WAIT),
    ("running", "Starting", False, WAIT),
    ("running", "Creating", False, WAIT),
    ("restarted", "Running", True, REBOOT),
    ("restarted", "Running", False, DONE),
    ("restarted", "Stopped", False, START),
    ("restarted", "Stopping", True, WAIT),
])
def test_decide(state, status, needs_reboot, action):
    assert decide(state, status, needs_reboot) == action


@pytest.mark.parametrize("state,status,changes", [
    ("stopped", "Stopped", False), ("stopped", "Stopping", False), ("stopped", "Running", True), ("stopped", "Starting", True),
    ("stopped", "Creating", True), ("running", "Creating", False), ("restarted", "Creating", False),
    ("running", "Running", False), ("running", "Starting", False), ("running", "Stopped", True), ("running", "Stopping", True),
    ("restarted", "Running", True), ("restarted", "Starting", False), ("running", "Pending", True),
])
def test_will_change(state, status, changes):
    assert will_change(state, status) is changes


@pytest.mark.parametrize("status,stuck", [
    ("Expired", True), ("Releasing", True), ("Creating", False), ("Running", False), ("Migrating", False), (None, False),
])
def test_only_statuses_that_never_end_by_themselves_are_stuck(status, stuck):
    rule = stuck_rule(status)
    assert (rule is not None) is stuck
    if stuck:
        assert rule.startswith("the instance is %s (" % status)
