# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""StopInstances / StartInstances: each instance's entry of InstanceResponses read apart (pure), and the wrapper
against the simulator over real HTTP."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._client import EnsApi
from ansible_collections.alibabacloud.ens.plugins.module_utils._listing import instance_responses
from ansible_collections.alibabacloud.ens.plugins.module_utils._retry import Pacer
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError

IDS = ["i-1", "i-2", "i-3"]


def answers(body):
    return instance_responses(body, "StopInstances", "stop instances", IDS, "RQ-9")


@pytest.mark.parametrize("code", [0, "0", 200, "200", None, ""])
def test_every_success_code_accepts_the_instance(code):
    entry = {"InstanceId": "i-2", "Message": "success"}
    if code is not None:
        entry["Code"] = code
    assert answers({"InstanceResponses": [entry]}) == {"i-1": None, "i-2": None, "i-3": None}


def test_an_error_entry_refuses_that_instance_alone_with_its_code_message_and_the_request_id():
    result = answers({"InstanceResponses": [
        {"InstanceId": "i-1", "Code": "0", "Message": "success"},
        {"InstanceId": "i-2", "Code": "IncorrectInstanceStatus", "Message": "The instance is Expired."},
        {"InstanceId": "i-3", "Code": "200"},
    ]})
    assert result["i-1"] is None and result["i-3"] is None
    error = result["i-2"]
    assert isinstance(error, EnsApiError)
    assert error.code == "IncorrectInstanceStatus" and error.request_id == "RQ-9"
    assert error.action == "StopInstances" and error.resource == "i-2"
    assert error.message == ("StopInstances refused instance i-2: The instance is Expired. "
                             "(error code IncorrectInstanceStatus, request id RQ-9)")
    assert error.transient is False and error.maybe_applied is False


def test_a_throttled_entry_is_transient_so_the_instance_is_asked_again():
    result = answers({"InstanceResponses": [{"InstanceId": "i-3", "Code": "Throttling.User"}]})
    assert result["i-3"].transient is True and result["i-3"].maybe_applied is False
    assert "no message" in result["i-3"].message


def test_a_numeric_error_code_is_carried_as_text():
    assert answers({"InstanceResponses": [{"InstanceId": "i-1", "Code": 403, "Message": "denied"}]})["i-1"].code == "403"


def test_a_list_wrapped_one_level_deeper_is_read_the_same():
    wrapped = answers({"InstanceResponses": {"InstanceResponse": [{"InstanceId": "i-1", "Code": "Forbidden"}]}})
    assert wrapped["i-1"].code == "Forbidden" and wrapped["i-2"] is None and wrapped["i-3"] is None


@pytest.mark.parametrize("body", [{}, {"InstanceResponses": None}, {"InstanceResponses": {}},
                                  {"InstanceResponses": {"InstanceResponse": None}}])
def test_no_entries_mean_every_instance_accepted_the_reads_after_judge(body):
    assert answers(body) == {"i-1": None, "i-2": None, "i-3": None}


@pytest.mark.parametrize("responses,kind", [("i-1 refused", "str"), (42, "int"), ({"InstanceResponse": "x"}, "str")])
def test_entries_that_are_not_a_list_are_a_shape_error_naming_the_call(responses, kind):
    with pytest.raises(EnsApiError) as raised:
        answers({"InstanceResponses": responses})
    assert raised.value.code == "InvalidResponse.Shape" and raised.value.request_id == "RQ-9"
    assert "InstanceResponses is %s, not a list" % kind in raised.value.message
    assert "Failed to stop instances (i-1, i-2, i-3)" in raised.value.message and "request id RQ-9" in raised.value.message


def test_entries_for_unknown_ids_or_of_the_wrong_shape_are_ignored():
    result = answers({"InstanceResponses": [
        {"InstanceId": "i-other", "Code": "IncorrectInstanceStatus"},
        "i-1 IncorrectInstanceStatus",
        {"Code": "IncorrectInstanceStatus"},
        {"InstanceId": ["i-1"], "Code": "IncorrectInstanceStatus"},      # not text: ignored, not a crash
        {"InstanceId": {"i-1": 1}, "Code": "IncorrectInstanceStatus"},
    ]})
    assert result == {"i-1": None, "i-2": None, "i-3": None}


# -- the wrapper over real HTTP ----------------------------------------------------------------------------


def make_api(sim, **params):
    options = dict(endpoint=sim.url, access_key_id="LTAIsimulatorKey0001", access_key_secret="simSecret-Q7v9Xk2pRt")
    options.update(params)
    api = EnsApi.from_params(options)
    api.retry_policy.sleep = lambda seconds: None
    return api


def test_stop_instances_answers_each_instance_and_the_pacer_counts_the_calls(ens_simulator_fresh):
    sim = ens_simulator_fresh
    api = make_api(sim)
    api.pacer = Pacer(50)
    request_id, result = api.stop_instances(["i-sim-run-01", "i-sim-stop-01", "i-sim-run-02"])
    assert request_id and result["i-sim-run-01"] is None and result["i-sim-run-02"] is None
    refused = result["i-sim-stop-01"]
    assert refused.code == "IncorrectInstanceStatus" and refused.request_id == request_id
    calls = [call for call in sim.control.calls()["calls"] if call["action"] == "StopInstances"]
    assert len(calls) == 1
    statuses = dict((item["InstanceId"], item["Status"]) for item in api.describe_instances(
        ["i-sim-run-01", "i-sim-stop-01", "i-sim-run-02"]))
    assert statuses["i-sim-run-01"] in ("Stopping", "Stopped") and statuses["i-sim-stop-01"] == "Stopped"
    assert api.pacer.calls == 2 and api.pacer.throttled == 0


def test_a_throttled_stop_instances_call_is_resent_and_the_pacer_counts_the_throttled_answers(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.fail_next({"action": "StartInstances", "code": "Throttling.User", "status": 400, "count": 2})
    api = make_api(sim)
    api.pacer = Pacer(50)
    request_id, result = api.start_instances(["i-sim-stop-01", "i-sim-stop-02"])
    assert result == {"i-sim-stop-01": None, "i-sim-stop-02": None} and request_id
    codes = [call["code"] for call in sim.control.calls()["calls"] if call["action"] == "StartInstances"]
    assert codes == ["Throttling.User", "Throttling.User", None]
    assert api.pacer.calls == 3 and api.pacer.throttled == 2
    assert api.pacer.rate < 50  # slowed down, winning back a twentieth per answer
