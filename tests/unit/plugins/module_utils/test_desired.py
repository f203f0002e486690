# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Exclusive mode's pure planning: current and desired sets of secondary ENIs, the detach list, the input guards."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._desired import (
    current_secondaries,
    exclusive_input_problems,
    plan_exclusive,
)


def eni(eni_id, status="InUse", instance_id="i-1", type_="Secondary"):
    return {"NetworkInterfaceId": eni_id, "Status": status, "InstanceId": instance_id, "Type": type_}


def by_id(*items):
    return dict((item["NetworkInterfaceId"], item) for item in items)


PRIMARY = eni("eni-p", type_="Primary")


@pytest.mark.parametrize("name,enis,desired_ids,current,desired,detach", [
    ("in line", [PRIMARY, eni("eni-a"), eni("eni-b")], ["eni-b", "eni-a"],
     ["eni-a", "eni-b"], ["eni-a", "eni-b"], []),
    ("one extra secondary is detached", [PRIMARY, eni("eni-a"), eni("eni-x")], ["eni-a"],
     ["eni-a", "eni-x"], ["eni-a"], ["eni-x"]),
    ("every secondary detached for an empty set, never the primary", [PRIMARY, eni("eni-a"), eni("eni-b")], [],
     ["eni-a", "eni-b"], [], ["eni-a", "eni-b"]),
    ("a desired ENI not attached yet is not in current", [PRIMARY, eni("eni-new", "Available", "")], ["eni-new"],
     [], ["eni-new"], []),
    ("an Attaching secondary counts as attached, and is detached when not desired",
     [PRIMARY, eni("eni-a", "Attaching")], [], ["eni-a"], [], ["eni-a"]),
    ("a Detaching secondary is on its way out: not current, nothing to detach",
     [PRIMARY, eni("eni-a", "Detaching")], [], [], [], []),
    ("the primary listed in the desired set is no secondary ENI", [PRIMARY, eni("eni-a")], ["eni-p", "eni-a"],
     ["eni-a"], ["eni-a"], []),
    ("ENIs of another instance are neither current nor detached", [PRIMARY, eni("eni-o", instance_id="i-2")], [],
     [], [], []),
    ("the detach list is in id order", [PRIMARY, eni("eni-c"), eni("eni-a"), eni("eni-b")], ["eni-b"],
     ["eni-a", "eni-b", "eni-c"], ["eni-b"], ["eni-a", "eni-c"]),
])
def test_plan_exclusive(name, enis, desired_ids, current, desired, detach):
    plan = plan_exclusive("i-1", desired_ids, by_id(*enis))
    assert plan == {"current": current, "desired": desired, "detach": detach}, name
    assert "eni-p" not in plan["detach"]


def test_current_secondaries_of_an_instance_without_enis():
    assert current_secondaries("i-1", {}) == []


@pytest.mark.parametrize("attach,detach,allow_empty,needle", [
    ([], [], False, "set allow_empty=true (eni_change_allow_empty in the eni_change role)"),
    (["eni-a"], ["eni-b"], False, "detach (eni-b) cannot be combined with exclusive"),
    ([], ["eni-b"], True, "remove detach (eni_change_detach in the eni_change role)"),
])
def test_exclusive_input_refusals(attach, detach, allow_empty, needle):
    problems = exclusive_input_problems("i-1", attach, detach, allow_empty)
    assert len(problems) == 1
    assert needle in problems[0]
    assert "i-1" in problems[0]


@pytest.mark.parametrize("attach,allow_empty", [(["eni-a"], False), ([], True), (["eni-a"], True)])
def test_exclusive_input_accepted(attach, allow_empty):
    assert exclusive_input_problems("i-1", attach, [], allow_empty) == []
