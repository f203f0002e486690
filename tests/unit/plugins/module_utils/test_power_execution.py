# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PowerExecution over a fake API on a fake clock: read lag, reboots that must be seen, odd statuses, conflicts."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils import _power
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import READ_LAG_GRACE_SECONDS, EnsWaitTimeout
from ansible_collections.alibabacloud.ens.tests.unit.plugins.module_utils.fake_cloud import Clock, FakeCloud, instance, lose_answers


def cloud_of(*statuses, **options):
    items = [instance("i-%d" % (index + 1), status) for index, status in enumerate(statuses)]
    return FakeCloud(Clock(), instances=items, **options)


def execute(cloud, state, wait=True, timeout=600):
    """Read the instances, then run the execution; returns (final statuses, request ids, warnings)."""
    ids = sorted(cloud.instances)
    found = cloud.describe_instances(ids)
    recorded, warnings = [], []
    execution = _power.PowerExecution(cloud, recorded.append, cloud.waiter(timeout), state, False, wait, found,
                                      warn=warnings.append)
    return [item["Status"] for item in execution.run(ids)], recorded, warnings


def actions(cloud):
    return [(call[0], call[2]) for call in cloud.mutating_calls()]


@pytest.mark.parametrize("lag,transition", [(0.0, 1.0), (2.0, 1.0), (6.0, 0.2), (0.4, 3.0)])
@pytest.mark.parametrize("state,start,action,end", [
    ("stopped", "Running", "StopInstance", "Stopped"),
    ("running", "Stopped", "StartInstance", "Running"),
    ("restarted", "Stopped", "StartInstance", "Running"),
])
def test_reads_lagging_an_accepted_call_are_not_yet_not_a_failure(lag, transition, state, start, action, end):
    cloud = cloud_of(start, start, lag=lag, transition=transition)
    final, recorded, warnings = execute(cloud, state)
    assert final == [end, end]
    assert actions(cloud) == [(action, "ok"), (action, "ok")]
    assert warnings == [] and len(recorded) == 2
    assert cloud.clock() >= max(lag, transition)


@pytest.mark.parametrize("lag", [0.0, 0.2, 1.0])
def test_restarted_returns_only_once_the_reboot_was_seen_and_is_over(lag):
    cloud = cloud_of("Running", lag=lag, transition=3.0)
    final, recorded, warnings = execute(cloud, "restarted")
    assert final == ["Running"]
    assert actions(cloud) == [("RebootInstance", "ok")]
    # The first polls still read Running (lag) or Starting; only the Running after Starting counts.
    assert cloud.clock() >= 3.0
    assert warnings == []


def test_restarted_when_no_read_ever_shows_the_reboot_is_taken_as_done_after_the_grace_period_with_a_warning():
    cloud = cloud_of("Running", lag=2.0, transition=0.5)  # the whole reboot hides inside the lag
    final, recorded, warnings = execute(cloud, "restarted")
    assert final == ["Running"]
    assert recorded == ["RQ-2"]
    assert cloud.clock() >= READ_LAG_GRACE_SECONDS
    assert len(warnings) == 1
    assert "i-1: the RebootInstance call was accepted" in warnings[0] and "request id RQ-2" in warnings[0]
    assert "no read showed the instance Stopping or Starting" in warnings[0]


def test_restarted_under_a_short_timeout_fails_rather_than_calling_an_unseen_reboot_done():
    cloud = cloud_of("Running", lag=2.0, transition=0.5)
    with pytest.raises(EnsWaitTimeout) as raised:
        execute(cloud, "restarted", timeout=10)
    assert "i-1 is Running (the RebootInstance call was accepted" in raised.value.message
    assert "no read has shown the change yet" in raised.value.message


def test_accepted_stop_that_never_shows_fails_after_the_grace_period_naming_the_call():
    cloud = cloud_of("Running")
    cloud.ignore.add("i-1")
    with pytest.raises(_power.EnsInstanceStateError) as raised:
        execute(cloud, "stopped")
    message = raised.value.message
    assert "i-1 is still Running" in message
    assert "the StopInstance call was accepted" in message and "request id RQ-2" in message
    assert READ_LAG_GRACE_SECONDS <= cloud.clock() < READ_LAG_GRACE_SECONDS + 5


def test_an_instance_going_back_after_stopping_fails_at_once():
    cloud = cloud_of("Running")
    cloud.ignore.add("i-1")
    cloud.instances["i-1"].change(0.1, Status="Stopping")
    cloud.instances["i-1"].change(1.0, Status="Running")
    with pytest.raises(_power.EnsInstanceStateError, match="i-1 went back to Running, it was to become Stopped: the StopInstance"):
        execute(cloud, "stopped")
    assert cloud.clock() < 5


@pytest.mark.parametrize("status", ["Expired", "Releasing"])
def test_an_instance_turning_stuck_mid_wait_fails_fast_naming_the_status(status):
    cloud = cloud_of("Running")
    cloud.ignore.add("i-1")
    cloud.instances["i-1"].change(0.5, Status=status)
    with pytest.raises(_power.EnsInstanceStateError) as raised:
        execute(cloud, "stopped")
    assert "the instance is %s" % status in raised.value.message
    assert raised.value.details["error_code"] == "IncorrectInstanceStatus"
    assert cloud.clock() < 5


def test_creating_is_waited_for_then_stopped():
    cloud = cloud_of("Creating", transition=1.0)
    cloud.instances["i-1"].change(4.0, Status="Running")
    final, recorded, warnings = execute(cloud, "stopped")
    assert final == ["Stopped"]
    assert actions(cloud) == [("StopInstance", "ok")]
    assert warnings == []


def test_unknown_status_is_waited_for_with_one_warning_and_named_on_timeout():
    cloud = cloud_of("Migrating")
    with pytest.raises(EnsWaitTimeout) as raised:
        execute(cloud, "running", timeout=20)
    assert "i-1 is Migrating (a status this module does not know)" in raised.value.message


def test_unknown_status_warns_once_and_the_wait_goes_on():
    cloud = cloud_of("Migrating")
    cloud.instances["i-1"].change(3.0, Status="Stopped")
    final, recorded, warnings = execute(cloud, "running")
    assert final == ["Running"]
    assert warnings == ["i-1 is Migrating, a status this module does not know: waiting for it to settle"]


def test_a_refused_call_is_made_again_once_the_change_under_way_settles():
    cloud = cloud_of("Running", lag=0.2)
    # Someone else stopped and restarts i-1: our read (lagging) shows it Running while it is Stopping.
    cloud.instances["i-1"].last_call = 0.0
    cloud.instances["i-1"].change(0.0, Status="Stopping")
    cloud.instances["i-1"].change(1.0, Status="Stopped")
    cloud.instances["i-1"].change(1.5, Status="Starting")
    cloud.instances["i-1"].change(3.0, Status="Running")
    final, recorded, warnings = execute(cloud, "restarted")
    assert final == ["Running"]
    # Refused while Stopping, then it turned Stopped: started (restarted from Stopped is a start).
    assert actions(cloud)[0] == ("RebootInstance", "IncorrectInstanceStatus")
    assert len(recorded) == 1


def test_a_refusal_with_no_change_under_way_fails_with_the_api_error():
    cloud = cloud_of("Running")
    cloud.ignore.add("i-1")

    def refuse(instance_id, force_stop=False):
        cloud.calls.append(("StopInstance", instance_id, "IncorrectInstanceStatus"))
        raise EnsApiError("Failed to stop instance i-1: IncorrectInstanceStatus", code="IncorrectInstanceStatus",
                          action="StopInstance", request_id="RQ-x")

    cloud.stop_instance = refuse
    with pytest.raises(EnsApiError) as raised:
        execute(cloud, "stopped")
    assert raised.value.request_id == "RQ-x"
    assert "reads after the refusal still show i-1 Running, so no other change was under way" in raised.value.message
    assert actions(cloud) == [("StopInstance", "IncorrectInstanceStatus")]
    assert READ_LAG_GRACE_SECONDS <= cloud.clock() < READ_LAG_GRACE_SECONDS + 5


def test_throttled_calls_are_made_again_at_the_next_poll():
    cloud = cloud_of("Running", "Running", "Running")
    cloud.throttle["StopInstance"] = 4
    final, recorded, warnings = execute(cloud, "stopped")
    assert final == ["Stopped"] * 3
    assert [outcome for action, outcome in actions(cloud)].count("ok") == 3
    assert len(recorded) == 3


def test_without_wait_reports_the_documented_transitional_status():
    cloud = cloud_of("Running", "Stopped")
    final, recorded, warnings = execute(cloud, "restarted", wait=False)
    assert final == ["Starting", "Starting"]
    assert actions(cloud) == [("RebootInstance", "ok"), ("StartInstance", "ok")]


@pytest.mark.parametrize("lag", [0.0, 6.0, READ_LAG_GRACE_SECONDS - 5.0])
def test_a_lost_stop_answer_that_landed_is_followed_until_stopped_never_resent(lag):
    cloud = cloud_of("Running", lag=lag)
    lose_answers(cloud, "StopInstance", "ens.interface.error", applied=True)
    final, recorded, warnings = execute(cloud, "stopped")
    assert final == ["Stopped"]
    assert [call[2] for call in cloud.calls if call[0] == "StopInstance"] == ["ok", "lost"]
    assert recorded == ["RQ-lost"]


def test_a_lost_stop_answer_that_never_landed_fails_after_the_grace_period_never_resent():
    cloud = cloud_of("Running")
    lose_answers(cloud, "StopInstance", "ens.interface.error", applied=False)
    with pytest.raises(_power.EnsInstanceStateError) as raised:
        execute(cloud, "stopped")
    assert "got no clear answer" in raised.value.message and "the stop did not take effect" in raised.value.message
    assert raised.value.details["error_code"] == "ens.interface.error"
    assert [call[2] for call in cloud.calls if call[0] == "StopInstance"] == ["lost"]
    assert cloud.clock() >= READ_LAG_GRACE_SECONDS
