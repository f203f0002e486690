# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ens_eni_batch_result: each host gets its own instance's outcome of an ens_eni_batch result, no API involved."""

from __future__ import annotations

import copy
from unittest.mock import MagicMock

import pytest
import yaml

from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.alibabacloud.ens.plugins.action import ens_eni_batch_result as action_plugin
from ansible_collections.alibabacloud.ens.plugins.modules import ens_eni_batch_result as doc_module

DIFF = {"before": {"network_interfaces": {"eni-old": {"status": "InUse", "instance_id": "i-a"}}, "status": "Running"},
        "after": {"network_interfaces": {"eni-old": {"status": "Available", "instance_id": ""}}, "status": "Running"}}


def outcome(instance_id, **overrides):
    """One instance's outcome, shaped as ens_eni_batch returns it."""
    item = {"instance_id": instance_id, "changed": False, "failed": False, "refused": False, "error": "",
            "error_code": "", "request_id": "", "errors": [], "previous_status": "Running", "status": "Running",
            "final_state": "running", "to_detach": [], "to_attach": [], "detached": [], "attached": [],
            "journal": {"found": False, "path": "", "kept": False},
            "rollback": {"enabled": True, "needed": False, "done": False, "reattached": [], "detached": [],
                         "error": "", "where": {}},
            "diff": {"before": {}, "after": {}}}
    item.update(overrides)
    return item


SWAPPED = outcome("i-a", changed=True, to_detach=["eni-old"], to_attach=["eni-new"], detached=["eni-old"],
                  attached=["eni-new"], diff=DIFF)
UNCHANGED = outcome("i-b")
FAILED = outcome(
    "i-c", changed=True, failed=True, error_code="IncorrectInstanceStatus", request_id="req-77",
    error=("Attach the ENIs failed on i-c: eni-new is InUse (error code IncorrectInstanceStatus, request id req-77)"
           " Rolled back: every ENI is where it was before the window. The instance was returned to running."),
    rollback={"enabled": True, "needed": True, "done": True, "reattached": ["eni-old"], "detached": [], "error": "",
              "where": {}})
REFUSED = outcome(
    "i-d", failed=True, refused=True, error_code="InvalidParameter.EniLimit",
    error="The change of i-d is refused: over the limit of 10 ENIs. Nothing was stopped.",
    errors=[{"resource": "i-d", "rule": "over the limit of 10 ENIs", "error_code": "InvalidParameter.EniLimit",
             "request_id": ""}])
BATCH = {"changed": True, "failed": True, "msg": "1 instance failed, 1 refused",
         "outcomes": {item["instance_id"]: item for item in (SWAPPED, UNCHANGED, FAILED, REFUSED)},
         "summary": {"instances": 4, "changed": 2, "unchanged": 1, "failed": 1, "refused": 1}}


def run_action(args, check_mode=False, diff=False):
    """Run the action plugin as the task executor would, for one host, and return its result."""
    task = Task()
    task.action = "alibabacloud.ens.ens_eni_batch_result"
    task.args = args
    task.check_mode = check_mode
    task.diff = diff
    connection = MagicMock()
    connection._shell.tmpdir = None
    plugin = action_plugin.ActionModule(task, connection, PlayContext(), loader=None, templar=None,
                                        shared_loader_obj=None)
    return plugin.run(task_vars={})


def test_a_changed_instance_gives_a_changed_host_with_its_outcome():
    result = run_action({"batch": copy.deepcopy(BATCH), "instance_id": "i-a"})
    assert result["changed"] is True
    assert not result.get("failed")
    assert result["instance_id"] == "i-a"
    assert result["eni_change_result"] == SWAPPED
    assert "diff" not in result  # no --diff asked
    assert "msg" not in result


def test_an_unchanged_instance_gives_an_ok_host():
    result = run_action({"batch": copy.deepcopy(BATCH), "instance_id": "i-b"})
    assert result["changed"] is False
    assert not result.get("failed")
    assert result["eni_change_result"] == UNCHANGED


def test_a_failed_instance_fails_its_host_alone_with_its_own_error():
    batch = copy.deepcopy(BATCH)
    failed = run_action({"batch": batch, "instance_id": "i-c"})
    assert failed["failed"] is True
    assert failed["msg"] == FAILED["error"]
    assert failed["error_code"] == "IncorrectInstanceStatus"
    assert failed["request_id"] == "req-77"
    assert failed["changed"] is True  # the window ran: the instance was stopped and started
    assert failed["eni_change_result"]["rollback"]["done"] is True
    # The batch as a whole failed, yet a sibling whose change went through is not failed.
    sibling = run_action({"batch": batch, "instance_id": "i-a"})
    assert not sibling.get("failed")


def test_a_refused_instance_fails_with_every_rule_it_breaks():
    result = run_action({"batch": copy.deepcopy(BATCH), "instance_id": "i-d"})
    assert result["failed"] is True
    assert result["changed"] is False
    assert "over the limit of 10" in result["msg"]
    assert result["eni_change_result"]["refused"] is True
    assert result["eni_change_result"]["errors"][0]["resource"] == "i-d"
    assert "request_id" not in result  # an empty request id is not reported


def test_a_failed_outcome_without_error_text_still_names_the_instance():
    batch = {"outcomes": {"i-e": outcome("i-e", failed=True)}}
    result = run_action({"batch": batch, "instance_id": "i-e"})
    assert result["failed"] is True
    assert "i-e" in result["msg"]


def test_diff_mode_returns_the_instance_diff():
    result = run_action({"batch": copy.deepcopy(BATCH), "instance_id": "i-a"}, diff=True)
    assert result["diff"] == DIFF


def test_diff_mode_with_an_empty_diff_returns_none():
    result = run_action({"batch": {"outcomes": {"i-b": outcome("i-b", diff={})}}, "instance_id": "i-b"}, diff=True)
    assert "diff" not in result


def test_check_mode_reports_what_would_change():
    result = run_action({"batch": copy.deepcopy(BATCH), "instance_id": "i-a"}, check_mode=True, diff=True)
    assert result["changed"] is True
    assert not result.get("skipped")
    assert result["diff"] == DIFF


def test_a_batch_failed_as_a_whole_fails_the_host_with_its_message():
    batch = {"failed": True, "changed": False,
             "msg": "InvalidAccessKeyId.NotFound: Specified access key is not found. (request id req-1)"}
    result = run_action({"batch": batch, "instance_id": "i-a"})
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["msg"] == "The ENI batch did not change instance i-a: " + batch["msg"]
    assert result["eni_change_result"] == {}


def test_an_instance_missing_from_the_outcomes_fails_the_host():
    result = run_action({"batch": copy.deepcopy(BATCH), "instance_id": "i-zz"})
    assert result["failed"] is True
    assert result["msg"] == "The ENI batch did not change instance i-zz: " + BATCH["msg"]


def test_an_instance_missing_from_a_batch_without_message_says_so():
    result = run_action({"batch": {"changed": False, "outcomes": {}}, "instance_id": "i-zz"})
    assert result["failed"] is True
    assert result["msg"] == "The ENI batch did not change instance i-zz: it returned no outcome for this instance"


def test_a_skipped_batch_fails_the_host():
    result = run_action({"batch": {"changed": False, "skipped": True}, "instance_id": "i-a"})
    assert result["failed"] is True
    assert result["msg"] == "The ENI batch did not change instance i-a: it did not run"


def test_an_outcome_that_is_not_a_dictionary_fails_the_host():
    result = run_action({"batch": {"outcomes": {"i-a": "done"}}, "instance_id": "i-a"})
    assert result["failed"] is True
    assert "not a dictionary" in result["msg"]


def test_the_batch_is_left_as_it_was():
    batch = copy.deepcopy(BATCH)
    result = run_action({"batch": batch, "instance_id": "i-a"})
    result["eni_change_result"]["changed"] = "edited"
    assert batch == BATCH


@pytest.mark.parametrize("args, needle", [
    ({"batch": BATCH}, "instance_id"),
    ({"instance_id": "i-a"}, "batch"),
    ({"batch": "not a dict", "instance_id": "i-a"}, "batch"),
    ({"batch": BATCH, "instance_id": "i-a", "instance": "i-b"}, "instance"),
])
def test_bad_arguments_are_refused(args, needle):
    with pytest.raises(AnsibleActionFail) as raised:
        run_action(copy.deepcopy(args))
    assert needle in str(raised.value)


def test_the_documentation_lists_exactly_the_arguments():
    documented = yaml.safe_load(doc_module.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(action_plugin.ARGUMENT_SPEC)
    for name, spec in action_plugin.ARGUMENT_SPEC.items():
        assert documented[name]["type"] == spec["type"]
        assert documented[name].get("required", False) == spec.get("required", False)
