# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils import _planning
from ansible_collections.alibabacloud.ens.plugins.module_utils._planning import (
    CALL,
    SKIP,
    UNCHANGED,
    WAIT,
    WAIT_THEN_CALL,
    EnsPreconditionError,
    check_attach_instance,
    check_detach_instances,
    plan_attach,
    plan_detach,
)

REGION, NETWORK = "cn-tianjin-cmcc", "n-main"


def eni(eni_id, status="Available", instance_id="", type_="Secondary", region=REGION, network=NETWORK):
    return {"NetworkInterfaceId": eni_id, "Status": status, "InstanceId": instance_id, "Type": type_,
            "EnsRegionId": region, "NetworkId": network}


def instance(instance_id="i-1", status="Stopped", attached=("eni-p",), region=REGION, network=NETWORK):
    return {"InstanceId": instance_id, "Status": status, "EnsRegionId": region,
            "NetworkAttributes": {"NetworkId": network},
            "NetworkInterfaces": {"NetworkInterfaces": [{"NetworkInterfaceId": e} for e in attached]}}


def by_id(*items):
    return dict((item["NetworkInterfaceId"], item) for item in items)


@pytest.mark.parametrize("status,owner,step", [
    ("InUse", "i-1", UNCHANGED),
    ("Attaching", "i-1", WAIT),
    ("Available", "", CALL),
    ("Detaching", "i-2", WAIT_THEN_CALL),
])
def test_attach_steps_by_status(status, owner, step):
    plan = plan_attach("i-1", ["eni-a"], by_id(eni("eni-a", status, owner)))
    assert plan.steps == {"eni-a": step}
    assert plan.problems == []
    assert plan.changed is (step in (CALL, WAIT_THEN_CALL))


@pytest.mark.parametrize("status", ["InUse", "Attaching"])
def test_attach_refuses_eni_held_by_another_instance_naming_it(status):
    plan = plan_attach("i-1", ["eni-a"], by_id(eni("eni-a", status, "i-other")))
    assert len(plan.problems) == 1
    assert "i-other" in plan.problems[0].rule
    assert plan.problems[0].error_code == "InvalidOperation.InvalidEniStatus"


def test_attach_lists_every_problem_at_once():
    enis = by_id(eni("eni-net", network="n-other"), eni("eni-zone", region="cn-other"), eni("eni-prim", "InUse", "i-9", "Primary"))
    plan = plan_attach("i-1", ["eni-missing", "eni-net", "eni-zone", "eni-prim"], enis, request_id="R1")
    check_attach_instance(plan, instance(status="Running"), request_id="R2")
    codes = sorted((p.resource, p.error_code) for p in plan.problems)
    assert codes == [
        ("eni-missing", "InvalidEniId.NotFound"),
        ("eni-net", "InvalidOperation.NetworkMismatch"),
        ("eni-prim", "InvalidOperation.InvalidEniType"),
        ("eni-zone", "InvalidOperation.NetworkMismatch"),
        ("i-1", "InvalidOperation.InvalidEnsStatus"),
    ]
    with pytest.raises(EnsPreconditionError) as raised:
        plan.raise_problems()
    assert "eni_attach role" in raised.value.message
    assert {e["request_id"] for e in raised.value.details["errors"]} == {"R1", "R2"}


def test_attach_missing_instance():
    plan = plan_attach("i-1", ["eni-a"], by_id(eni("eni-a")))
    check_attach_instance(plan, None)
    assert [(p.resource, p.error_code) for p in plan.problems] == [("i-1", "InstanceNotFound")]


@pytest.mark.parametrize("already,new,ok", [(8, 2, True), (9, 2, False), (10, 1, False), (1, 9, True)])
def test_attach_limit_counts_attached_plus_new(already, new, ok):
    attached = ["eni-p"] + ["eni-x%d" % n for n in range(already - 1)]
    new_ids = ["eni-n%d" % n for n in range(new)]
    plan = plan_attach("i-1", new_ids, by_id(*[eni(e) for e in new_ids]))
    check_attach_instance(plan, instance(attached=attached))
    assert (plan.problems == []) is ok
    if not ok:
        assert plan.problems[0].error_code == "EniPerInstanceLimitExceeded"


def test_attach_limit_counts_detaches_first_when_freed():
    attached = ["eni-p"] + ["eni-x%d" % n for n in range(9)]
    plan = plan_attach("i-1", ["eni-new"], by_id(eni("eni-new")))
    check_attach_instance(plan, instance(attached=attached, status="Running"), require_stopped=False, freed=["eni-x0"])
    assert plan.problems == []


def test_already_attached_eni_does_not_count_twice():
    plan = plan_attach("i-1", ["eni-a", "eni-b"], by_id(eni("eni-a", "InUse", "i-1"), eni("eni-b")))
    check_attach_instance(plan, instance(attached=["eni-p", "eni-a"] + ["eni-x%d" % n for n in range(7)]))
    assert plan.problems == []


@pytest.mark.parametrize("status,owner,given,step", [
    ("Available", "", None, UNCHANGED),
    ("Detaching", "i-1", None, WAIT),
    ("InUse", "i-1", None, CALL),
    ("InUse", "i-1", "i-1", CALL),
    ("Attaching", "i-1", None, WAIT_THEN_CALL),
    ("InUse", "i-2", "i-1", SKIP),
    ("Attaching", "i-2", "i-1", SKIP),
])
def test_detach_steps(status, owner, given, step):
    plan = plan_detach(given, ["eni-a"], by_id(eni("eni-a", status, owner)))
    assert plan.steps == {"eni-a": step}
    assert bool(plan.warnings) is (step == SKIP)


def test_detach_refuses_primary_even_when_instance_stopped():
    plan = plan_detach("i-1", ["eni-p"], by_id(eni("eni-p", "InUse", "i-1", "Primary")))
    check_detach_instances(plan, {"i-1": instance()})
    assert [p.error_code for p in plan.problems] == ["InvalidOperation.InvalidEniType"]


def test_detach_needs_each_owner_stopped():
    enis = by_id(eni("eni-a", "InUse", "i-1"), eni("eni-b", "InUse", "i-2"))
    plan = plan_detach(None, ["eni-a", "eni-b"], enis)
    assert plan.involved_instance_ids() == ["i-1", "i-2"]
    check_detach_instances(plan, {"i-1": instance("i-1", "Running"), "i-2": instance("i-2")})
    assert [(p.resource, p.error_code) for p in plan.problems] == [("eni-a", "InvalidOperation.InvalidEnsStatus")]


def test_predicted_state_for_check_mode():
    plan = plan_attach("i-1", ["eni-a", "eni-b"], by_id(eni("eni-a"), eni("eni-b", "InUse", "i-1")))
    assert _planning.eni_state(plan.predicted("eni-a")) == {"status": "InUse", "instance_id": "i-1"}
    assert _planning.eni_state(plan.predicted("eni-b")) == {"status": "InUse", "instance_id": "i-1"}
    detach = plan_detach(None, ["eni-c"], by_id(eni("eni-c", "InUse", "i-1")))
    assert _planning.eni_state(detach.predicted("eni-c")) == {"status": "Available", "instance_id": ""}


@pytest.mark.parametrize("status", ["Expired", "Releasing"])
@pytest.mark.parametrize("require_stopped", [True, False])
def test_an_instance_that_never_leaves_its_status_is_refused_naming_it(status, require_stopped):
    plan = plan_attach("i-1", ["eni-a"], by_id(eni("eni-a")))
    check_attach_instance(plan, instance(status=status), "R1", require_stopped=require_stopped)
    assert [(p.resource, p.error_code, p.request_id) for p in plan.problems] == [("i-1", "InvalidOperation.InvalidEnsStatus", "R1")]
    assert "the instance is %s" % status in plan.problems[0].rule
    assert "never leaves it by itself" in plan.problems[0].rule
    assert "stop it with" not in plan.problems[0].rule  # stopping cannot help

    detach = plan_detach("i-1", ["eni-b"], by_id(eni("eni-b", "InUse", "i-1")))
    check_detach_instances(detach, {"i-1": instance(status=status)}, "R1", require_stopped=require_stopped)
    assert [(p.resource, p.error_code) for p in detach.problems] == [("eni-b", "InvalidOperation.InvalidEnsStatus")]
    assert "its instance i-1 is %s" % status in detach.problems[0].rule


@pytest.mark.parametrize("status,problems,warned", [
    ("Running", 0, False), ("Creating", 0, False), ("Stopping", 0, False), ("Migrating", 0, True),
])
def test_plan_for_a_window_accepts_transitional_statuses_and_warns_of_unknown_ones(status, problems, warned):
    plan = plan_attach("i-1", ["eni-a"], by_id(eni("eni-a")))
    check_attach_instance(plan, instance(status=status), require_stopped=False)
    detach = plan_detach("i-1", ["eni-b"], by_id(eni("eni-b", "InUse", "i-1")))
    check_detach_instances(detach, {"i-1": instance(status=status)}, require_stopped=False)
    assert len(plan.problems) == len(detach.problems) == problems
    assert bool(plan.warnings) is bool(detach.warnings) is warned
    if warned:
        assert plan.warnings == ["instance i-1 is Migrating, a status this collection does not know: stopping it waits for it to settle"]


def test_modules_refuse_creating_and_unknown_statuses_since_they_need_stopped():
    for status in ("Creating", "Migrating"):
        plan = plan_attach("i-1", ["eni-a"], by_id(eni("eni-a")))
        check_attach_instance(plan, instance(status=status))
        assert [p.error_code for p in plan.problems] == ["InvalidOperation.InvalidEnsStatus"]
        assert "needs it Stopped" in plan.problems[0].rule


def test_limit_boundary_ten_attached_plus_one_is_refused_naming_the_limit():
    attached = ["eni-p"] + ["eni-x%d" % n for n in range(9)]
    plan = plan_attach("i-1", ["eni-new"], by_id(eni("eni-new")))
    check_attach_instance(plan, instance(attached=attached))
    assert [p.error_code for p in plan.problems] == ["EniPerInstanceLimitExceeded"]
    assert "has 10 ENIs and 1 more would make 11, over the limit of 10" in plan.problems[0].rule
