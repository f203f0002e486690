# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EniExecution over a fake API on a fake clock: read lag, one operation at a time, throttling, odd statuses."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils import _eni, _planning
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import READ_LAG_GRACE_SECONDS, EnsWaitTimeout
from ansible_collections.alibabacloud.ens.tests.unit.plugins.module_utils.fake_cloud import Clock, FakeCloud, eni, instance, lose_answers

ATTACHED = ["eni-a", "eni-b", "eni-c", "eni-d"]


def cloud_with(enis, lag=0.0, transition=1.0, one_at_a_time=False, instances=None):
    return FakeCloud(Clock(), instances=instances or [instance("i-1"), instance("i-2")], enis=enis, transition=transition,
                     lag=lag, one_eni_operation_per_instance=one_at_a_time)


def execute(cloud, operation, ids, instance_id="i-1", wait=True, timeout=300):
    """Plan from a read of the fake cloud, then run the execution; returns (result, request ids, warnings)."""
    enis = dict((item["NetworkInterfaceId"], item) for item in cloud.describe_network_interfaces(ids))
    planner = _planning.plan_attach if operation == _planning.ATTACH else _planning.plan_detach
    plan = planner(instance_id, ids, enis)
    assert plan.problems == []
    recorded, warnings = [], []
    execution = _eni.EniExecution(plan, cloud, recorded.append, cloud.waiter(timeout), wait, warn=warnings.append)
    return execution.run(), recorded, warnings


def statuses(result):
    return [(item["NetworkInterfaceId"], item["Status"], item["InstanceId"]) for item in result]


def accepted(cloud, action):
    return [resource for name, resource, outcome in cloud.calls if name == action and outcome == "ok"]


def test_calls_go_back_to_back_then_one_read_per_poll_covers_all():
    cloud = cloud_with([eni("eni-a"), eni("eni-b")])
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ["eni-a", "eni-b"])
    assert [call[0] for call in cloud.calls[1:3]] == ["AttachNetworkInterface", "AttachNetworkInterface"]
    assert all(call[1] == "eni-a,eni-b" for call in cloud.calls[3:])
    assert recorded == ["RQ-2", "RQ-3"]
    assert statuses(result) == [("eni-a", "InUse", "i-1"), ("eni-b", "InUse", "i-1")]
    assert warnings == []


@pytest.mark.parametrize("operation,start,end", [
    (_planning.ATTACH, ("Available", ""), ("InUse", "i-1")),
    (_planning.DETACH, ("InUse", "i-1"), ("Available", "")),
])
@pytest.mark.parametrize("lag,transition", [(0.0, 1.0), (2.0, 1.0), (5.0, 0.2), (0.5, 3.0)])
def test_reads_lagging_an_accepted_call_are_not_yet_not_a_failure(operation, start, end, lag, transition):
    cloud = cloud_with([eni("eni-a", *start), eni("eni-b", *start)], lag=lag, transition=transition)
    result, recorded, warnings = execute(cloud, operation, ["eni-a", "eni-b"])
    assert statuses(result) == [("eni-a",) + end, ("eni-b",) + end]
    assert len(recorded) == 2 and warnings == []
    # The run returned only once the change was really complete, however long the reads lagged.
    assert cloud.clock() >= max(lag, transition)


def test_a_lagging_read_was_really_seen_and_waited_through():
    cloud = cloud_with([eni("eni-a")], lag=2.0, transition=0.5)
    seen = []
    describe = cloud.describe_network_interfaces

    def recording(ids):
        found = describe(ids)
        seen.extend(item["Status"] for item in found)
        return found

    cloud.describe_network_interfaces = recording
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ["eni-a"])
    # The plan's read, then polls that still showed Available after the accepted attach, then InUse.
    assert seen[0] == "Available" and seen[1] == "Available" and seen[-1] == "InUse"
    assert "Attaching" not in seen  # the lag hid the whole transition
    assert statuses(result) == [("eni-a", "InUse", "i-1")]


def test_accepted_call_that_never_shows_fails_after_the_grace_period_naming_the_call():
    cloud = cloud_with([eni("eni-a")])
    cloud.ignore.add("eni-a")
    with pytest.raises(_planning.EnsUnexpectedState) as raised:
        execute(cloud, _planning.ATTACH, ["eni-a"], timeout=600)
    message = raised.value.message
    assert "eni-a is still Available" in message
    assert "the AttachNetworkInterface call was accepted" in message and "request id RQ-2" in message
    assert "did not take effect" in message
    assert READ_LAG_GRACE_SECONDS <= cloud.clock() < READ_LAG_GRACE_SECONDS + 5


def test_timeout_inside_the_grace_period_says_the_call_was_accepted():
    cloud = cloud_with([eni("eni-a", "InUse", "i-1")])
    cloud.ignore.add("eni-a")
    with pytest.raises(EnsWaitTimeout) as raised:
        execute(cloud, _planning.DETACH, ["eni-a"], timeout=5)
    assert "eni-a is InUse (the DetachNetworkInterface call was accepted" in raised.value.message
    assert "request id RQ-2" in raised.value.message and "no read has shown the change yet" in raised.value.message


@pytest.mark.parametrize("elsewhere", [{"Status": "Deleting"}, {"Status": "Detaching", "InstanceId": "i-1"}])
def test_an_eni_moving_somewhere_unexpected_after_an_accepted_call_fails_at_once(elsewhere):
    cloud = cloud_with([eni("eni-a")])
    cloud.ignore.add("eni-a")
    cloud.enis["eni-a"].change(0.5, **elsewhere)
    with pytest.raises(_planning.EnsUnexpectedState) as raised:
        execute(cloud, _planning.ATTACH, ["eni-a"])
    assert "eni-a is %s" % elsewhere["Status"] in raised.value.message
    assert "the AttachNetworkInterface call was accepted (request id RQ-2)" in raised.value.message
    assert cloud.clock() < READ_LAG_GRACE_SECONDS


def test_an_eni_going_back_to_its_source_status_after_progress_fails():
    cloud = cloud_with([eni("eni-a")])
    cloud.ignore.add("eni-a")
    cloud.enis["eni-a"].change(0.1, Status="Attaching", InstanceId="i-1")
    cloud.enis["eni-a"].change(1.0, Status="Available", InstanceId="")
    with pytest.raises(_planning.EnsUnexpectedState, match="eni-a is Available, it was to become InUse on i-1"):
        execute(cloud, _planning.ATTACH, ["eni-a"])


@pytest.mark.parametrize("lag", [0.0, 0.5, 2.0])
def test_four_attaches_one_at_a_time_succeed_in_one_run(lag):
    cloud = cloud_with([eni(e) for e in ATTACHED], lag=lag, one_at_a_time=True)
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ATTACHED)
    assert statuses(result) == [(e, "InUse", "i-1") for e in ATTACHED]
    assert accepted(cloud, "AttachNetworkInterface") == ATTACHED
    # One refusal taught the run that the instance takes one operation at a time: no call was wasted after it.
    refused = [call for call in cloud.mutating_calls() if call[2] != "ok"]
    assert refused == [("AttachNetworkInterface", "eni-b", "InvalidOperation.InvalidEnsStatus")]
    assert recorded == ["RQ-%d" % (index + 1) for index, call in enumerate(cloud.calls)
                        if call[0] == "AttachNetworkInterface" and call[2] == "ok"]


def test_four_detaches_one_at_a_time_succeed_in_one_run_and_polls_read_all_enis_together():
    cloud = cloud_with([eni(e, "InUse", "i-1") for e in ATTACHED], lag=0.5, one_at_a_time=True)
    result, recorded, warnings = execute(cloud, _planning.DETACH, ATTACHED, instance_id=None)
    assert statuses(result) == [(e, "Available", "") for e in ATTACHED]
    assert accepted(cloud, "DetachNetworkInterface") == ATTACHED
    polls = [call[1].split(",") for call in cloud.calls[1:] if call[0] == "DescribeNetworkInterfaces"]
    assert polls[0] == ATTACHED
    # Every poll reads every ENI still pending with one call; the set only shrinks.
    assert all(set(later) <= set(earlier) for earlier, later in zip(polls, polls[1:]))


def test_one_at_a_time_on_two_instances_serialises_each_instance_only():
    enis = [eni("eni-a", "InUse", "i-1"), eni("eni-b", "InUse", "i-1"), eni("eni-c", "InUse", "i-2")]
    cloud = cloud_with(enis, one_at_a_time=True)
    result, recorded, warnings = execute(cloud, _planning.DETACH, ["eni-a", "eni-b", "eni-c"], instance_id=None)
    assert [item["Status"] for item in result] == ["Available"] * 3
    first_calls = [call[1:] for call in cloud.mutating_calls()][:3]
    # eni-c (on i-2) did not wait for i-1's turn.
    assert first_calls == [("eni-a", "ok"), ("eni-b", "InvalidOperation.InvalidEnsStatus"), ("eni-c", "ok")]


def test_a_refusal_with_no_change_under_way_fails_with_the_api_error():
    cloud = cloud_with([eni("eni-a")], instances=[instance("i-1", "Running")])
    enis = dict((item["NetworkInterfaceId"], item) for item in cloud.describe_network_interfaces(["eni-a"]))
    plan = _planning.plan_attach("i-1", ["eni-a"], enis)  # as if the instance read had shown it Stopped
    with pytest.raises(EnsApiError) as raised:
        _eni.EniExecution(plan, cloud, [].append, cloud.waiter(300), True).run()
    assert raised.value.code == "InvalidOperation.InvalidEnsStatus"
    assert "times over 30 s of reads still showing eni-a Available, with no other ENI operation of this run under way " \
        "on instance i-1" in raised.value.message
    # Asked again 1, 3, 7, 15 s after the first refusal (backing off), then reported.
    assert [call[2] for call in cloud.mutating_calls()] == ["InvalidOperation.InvalidEnsStatus"] * 5
    # Stale reads could have explained the refusal: it was judged over the grace period, not on the first read.
    assert READ_LAG_GRACE_SECONDS <= cloud.clock() < READ_LAG_GRACE_SECONDS + 5


def test_a_refusal_explained_by_an_operation_this_run_cannot_see_is_retried_until_accepted():
    # eni-x, not in this run, is still Attaching to i-1 for 2.5 s: the instance refuses a second ENI operation.
    cloud = cloud_with([eni("eni-a"), eni("eni-x", "Attaching", "i-1")], one_at_a_time=True)
    cloud.enis["eni-x"].change(2.5, Status="InUse")
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ["eni-a"])
    assert statuses(result) == [("eni-a", "InUse", "i-1")]
    assert [call[2] for call in cloud.mutating_calls()] == ["InvalidOperation.InvalidEnsStatus"] * 2 + ["ok"]
    assert len(recorded) == 1


def test_while_an_unexplained_refusal_is_pending_only_that_call_is_asked_again():
    cloud = cloud_with([eni(e) for e in ATTACHED] + [eni("eni-x", "Attaching", "i-1")], one_at_a_time=True)
    cloud.enis["eni-x"].change(2.5, Status="InUse")
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ATTACHED)
    assert statuses(result) == [(e, "InUse", "i-1") for e in ATTACHED]
    outcomes = [call[1:] for call in cloud.mutating_calls()]
    refused = ("InvalidOperation.InvalidEnsStatus",)
    # eni-a alone is asked again until eni-x settles; then eni-b's refusal teaches "one at a time".
    assert outcomes == [("eni-a",) + refused, ("eni-a",) + refused, ("eni-a", "ok"), ("eni-b",) + refused,
                        ("eni-b", "ok"), ("eni-c", "ok"), ("eni-d", "ok")]


def test_a_refusal_explained_by_the_eni_itself_changing_is_waited_out():
    cloud = cloud_with([eni("eni-a", "InUse", "i-1")], lag=0.1)
    # Someone else detaches eni-a at 0 s: our plan's read, lagging, still shows it InUse, so our detach is refused.
    cloud.enis["eni-a"].last_call = 0.0
    cloud.enis["eni-a"].change(0.0, Status="Detaching")
    cloud.enis["eni-a"].change(2.0, Status="Available", InstanceId="")
    result, recorded, warnings = execute(cloud, _planning.DETACH, ["eni-a"])
    assert statuses(result) == [("eni-a", "Available", "")]
    assert [call[2] for call in cloud.mutating_calls()] == ["InvalidOperation.InvalidEniStatus"]
    assert recorded == []


def test_throttled_calls_are_made_again_at_the_next_poll():
    cloud = cloud_with([eni("eni-a"), eni("eni-b")])
    cloud.throttle["AttachNetworkInterface"] = 3
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ["eni-a", "eni-b"])
    assert statuses(result) == [("eni-a", "InUse", "i-1"), ("eni-b", "InUse", "i-1")]
    assert [call[2] for call in cloud.mutating_calls()] == ["Throttling.User"] * 3 + ["ok", "ok"]
    assert len(recorded) == 2


def test_throttling_until_the_timeout_names_it():
    cloud = cloud_with([eni("eni-a")])
    cloud.throttle["AttachNetworkInterface"] = 10 ** 6
    with pytest.raises(EnsWaitTimeout, match=r"eni-a is Available \(its last attach call was throttled \(Throttling.User\)\)"):
        execute(cloud, _planning.ATTACH, ["eni-a"], timeout=20)


@pytest.mark.parametrize("lag", [0.0, 5.0, READ_LAG_GRACE_SECONDS - 5.0])
def test_a_lost_answer_that_landed_is_followed_like_an_accepted_call_and_never_resent(lag):
    cloud = cloud_with([eni("eni-a")], lag=lag)
    lose_answers(cloud, "AttachNetworkInterface", "ServiceUnavailable", applied=True)
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ["eni-a"])
    assert statuses(result) == [("eni-a", "InUse", "i-1")]
    assert [call for call in cloud.calls if call[0] == "AttachNetworkInterface" and call[2] == "lost"] == [
        ("AttachNetworkInterface", "eni-a", "lost")]
    assert recorded == ["RQ-lost"]


def test_a_lost_answer_that_never_lands_fails_after_the_grace_period_naming_the_error_and_is_never_resent():
    cloud = cloud_with([eni("eni-a")])
    lose_answers(cloud, "AttachNetworkInterface", "ServiceUnavailable", applied=False)
    with pytest.raises(_planning.EnsUnexpectedState) as raised:
        execute(cloud, _planning.ATTACH, ["eni-a"])
    assert "got no clear answer" in raised.value.message
    assert "lost answer" in raised.value.message
    assert "the attach did not take effect" in raised.value.message
    assert raised.value.details["error_code"] == "ServiceUnavailable"
    assert raised.value.details["request_id"] == "RQ-lost"
    assert len([call for call in cloud.calls if call[0] == "AttachNetworkInterface"]) == 1
    assert cloud.clock() >= READ_LAG_GRACE_SECONDS


def test_unknown_status_is_waited_for_with_one_warning_and_named_on_timeout():
    cloud = cloud_with([eni("eni-a", "InUse", "i-1")])
    cloud.ignore.add("eni-a")
    cloud.enis["eni-a"].change(0.1, Status="Migrating")
    with pytest.raises(EnsWaitTimeout) as raised:
        execute(cloud, _planning.DETACH, ["eni-a"], timeout=20)
    assert "eni-a is Migrating (a status this collection does not know" in raised.value.message


def test_unknown_status_warning_is_given_once_and_the_wait_goes_on():
    cloud = cloud_with([eni("eni-a", "InUse", "i-1")])
    cloud.enis["eni-a"].change(0.1, Status="Migrating")  # then the detach lands at 1.0 s
    result, recorded, warnings = execute(cloud, _planning.DETACH, ["eni-a"])
    assert statuses(result) == [("eni-a", "Available", "")]
    assert warnings == ["eni-a is Migrating, a status this collection does not know: waiting for it to settle"]


@pytest.mark.parametrize("operation,found,end", [
    (_planning.ATTACH, ("Attaching", "i-1"), ("InUse", "i-1")),
    (_planning.DETACH, ("Detaching", "i-2"), ("Available", "")),
])
def test_an_eni_found_mid_transition_is_waited_for_with_no_call(operation, found, end):
    cloud = cloud_with([eni("eni-a", *found)])
    cloud.enis["eni-a"].change(2.0, Status=end[0], InstanceId=end[1])
    result, recorded, warnings = execute(cloud, operation, ["eni-a"], instance_id=None if operation == _planning.DETACH else "i-1")
    assert statuses(result) == [("eni-a",) + end]
    assert cloud.mutating_calls() == [] and recorded == []
    assert cloud.clock() >= 2.0


def test_waits_for_detaching_then_attaches():
    cloud = cloud_with([eni("eni-a", "InUse", "i-2")])
    cloud.enis["eni-a"].change(0.0, Status="Detaching")
    cloud.enis["eni-a"].change(2.0, Status="Available", InstanceId="")
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ["eni-a"])
    assert accepted(cloud, "AttachNetworkInterface") == ["eni-a"]
    assert cloud.mutating_calls() == [("AttachNetworkInterface", "eni-a", "ok")]
    assert statuses(result) == [("eni-a", "InUse", "i-1")]


def test_without_wait_returns_the_transitional_status_after_the_calls():
    cloud = cloud_with([eni("eni-a")])
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ["eni-a"], wait=False)
    assert statuses(result) == [("eni-a", "Attaching", "i-1")]
    assert [call[0] for call in cloud.calls] == ["DescribeNetworkInterfaces", "AttachNetworkInterface"]


def test_without_wait_one_at_a_time_still_makes_every_call():
    cloud = cloud_with([eni(e) for e in ATTACHED], one_at_a_time=True)
    result, recorded, warnings = execute(cloud, _planning.ATTACH, ATTACHED, wait=False)
    assert accepted(cloud, "AttachNetworkInterface") == ATTACHED
    assert result[-1]["Status"] == "Attaching"


def test_taken_by_another_instance_meanwhile_fails():
    cloud = cloud_with([eni("eni-a", "InUse", "i-2")])
    cloud.enis["eni-a"].change(0.0, Status="Detaching")
    cloud.enis["eni-a"].change(0.5, Status="Attaching", InstanceId="i-3")
    with pytest.raises(_planning.EnsUnexpectedState, match="taken by instance i-3"):
        execute(cloud, _planning.ATTACH, ["eni-a"])
