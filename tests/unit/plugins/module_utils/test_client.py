# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The API layer against the simulator over real HTTP: retries, lost answers, timeouts, errors."""

from __future__ import annotations

import time

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils._client import EnsApi
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import EnsWaitTimeout, Waiter
from ansible_collections.alibabacloud.ens.tests.unit.plugins.module_utils.fake_cloud import Clock

SECRET = "simSecret-Q7v9Xk2pRt"


def make_api(sim, sleeps=None, **params):
    options = dict(endpoint=sim.url, access_key_id="LTAIsimulatorKey0001", access_key_secret=SECRET)
    options.update(params)
    api = EnsApi.from_params(options)
    if sleeps is not None:
        api.retry_policy.sleep = sleeps.append  # record backoffs instead of sleeping
    return api


def napping(sleeps, longest=0.05):
    """A sleep that records each backoff and sleeps at most `longest` (time-bounded retries still end)."""
    def nap(seconds):
        sleeps.append(seconds)
        time.sleep(min(seconds, longest))
    return nap


def calls(sim, action):
    return [call for call in sim.control.calls()["calls"] if call["action"] == action]


def test_throttling_is_retried_past_api_retries_until_the_time_budget(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.set_faults({"seed": 1, "throttling_rate": 1.0})
    sleeps = []
    api = make_api(sim, api_retries=1, api_retry_max_seconds=1)
    api.retry_policy.sleep = napping(sleeps)
    started = time.monotonic()
    with pytest.raises(EnsApiError) as raised:
        api.describe_network_interfaces(["eni-sim-free-01"])
    assert raised.value.code == "Throttling.User"
    assert raised.value.transient and raised.value.request_id
    # api_retries 1 would allow 2 attempts: throttling goes on until api_retry_max_seconds is spent.
    assert len(calls(sim, "DescribeNetworkInterfaces")) > 2
    assert time.monotonic() - started >= 1
    assert len(sleeps) == len(calls(sim, "DescribeNetworkInterfaces")) - 1
    assert "see api_retries and api_retry_max_seconds" in raised.value.message


def test_a_throttled_mutating_call_is_resent_without_reading_even_with_no_retries(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.fail_next({"action": "StopInstance", "code": "Throttling.User", "status": 400, "count": 3})
    api = make_api(sim, [], api_retries=0)
    assert api.stop_instance("i-sim-run-01")
    assert [call["code"] for call in calls(sim, "StopInstance")] == ["Throttling.User"] * 3 + [None]
    assert calls(sim, "DescribeInstances") == []  # refused at the gateway: nothing to read back


def test_other_transient_errors_still_stop_at_api_retries(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.fail_next({"action": "DescribeInstances", "code": "ServiceUnavailable", "status": 503, "count": 5})
    api = make_api(sim, [], api_retries=2)
    with pytest.raises(EnsApiError) as raised:
        api.describe_instances(["i-sim-run-01"])
    assert raised.value.code == "ServiceUnavailable" and raised.value.status_code == 503
    assert len(calls(sim, "DescribeInstances")) == 3


def test_reads_of_the_client_for_polls_are_one_attempt_and_a_throttled_wait_ends_at_its_timeout(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.set_faults({"seed": 1, "throttling_rate": 1.0, "actions": ["DescribeNetworkInterfaces"]})
    sleeps = []
    api = make_api(sim, api_retry_max_seconds=1)  # default retries: 8 attempts after the first
    api.retry_policy.sleep = napping(sleeps)
    polls = api.for_polls()
    with pytest.raises(EnsApiError) as raised:
        polls.describe_network_interfaces(["eni-sim-free-01"])
    assert raised.value.code == "Throttling.User" and sleeps == []
    assert len(calls(sim, "DescribeNetworkInterfaces")) == 1
    sim.control.clear_calls()

    # Every poll throttled: the waiter, not the retry policy, decides; one API call per poll, no backoff.
    clock = Clock()  # the wait's own time: a slow machine changes how long the test takes, not how many polls
    waiter = Waiter(timeout=1, sleep=clock.sleep, clock=clock)
    with pytest.raises(EnsWaitTimeout) as timed_out:
        waiter.wait(lambda: polls.describe_network_interfaces(["eni-sim-free-01"]), lambda: "eni-sim-free-01 is ?", "ENIs")
    assert len(calls(sim, "DescribeNetworkInterfaces")) == waiter.polls >= 2
    assert sleeps == []
    assert "the last poll failed" in timed_out.value.message and "Throttling.User" in timed_out.value.message

    # Outside a wait the same read is retried again, throttling until api_retry_max_seconds.
    with pytest.raises(EnsApiError):
        api.describe_network_interfaces(["eni-sim-free-01"])
    assert len(sleeps) >= 8


def test_a_throttled_call_then_succeeds(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.set_faults({"seed": 3, "throttling_rate": 0.5})
    sleeps = []
    api = make_api(sim, sleeps, api_retries=20)
    for _attempt in range(5):
        assert api.describe_network_interfaces(["eni-sim-free-01"])[0]["NetworkInterfaceId"] == "eni-sim-free-01"
    codes = [call["code"] for call in calls(sim, "DescribeNetworkInterfaces")]
    assert codes.count(None) == 5 and "Throttling.User" in codes
    assert len(sleeps) == codes.count("Throttling.User")


def test_client_errors_are_never_retried(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sleeps = []
    api = make_api(sim, sleeps, access_key_secret="not-the-secret")
    with pytest.raises(EnsApiError) as raised:
        api.describe_instances(["i-sim-run-01"])
    assert raised.value.code == "SignatureDoesNotMatch"
    assert not raised.value.transient
    assert sleeps == [] and len(calls(sim, "DescribeInstances")) == 1
    assert "not-the-secret" not in str(raised.value) and raised.value.request_id in str(raised.value)


def test_retry_after_from_the_server_is_honoured(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.set_faults({"seed": 1, "throttling_rate": 1.0, "throttling_retry_after_ms": 400})
    sleeps = []
    api = make_api(sim, api_retries=0, api_retry_max_seconds=2)
    api.retry_policy.sleep = napping(sleeps, longest=1)
    with pytest.raises(EnsApiError) as raised:
        api.describe_network_interfaces(["eni-sim-free-01"])
    assert raised.value.retry_after == pytest.approx(0.4)
    assert len(sleeps) >= 2 and min(sleeps) >= 0.4


def test_a_retry_after_past_the_budget_ends_the_retries_at_once(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.set_faults({"seed": 1, "throttling_rate": 1.0, "throttling_retry_after_ms": 5000})
    sleeps = []
    api = make_api(sim, sleeps, api_retry_max_seconds=2)
    with pytest.raises(EnsApiError) as raised:
        api.describe_network_interfaces(["eni-sim-free-01"])
    assert raised.value.code == "Throttling.User" and sleeps == []
    assert len(calls(sim, "DescribeNetworkInterfaces")) == 1


def test_lost_answer_on_attach_is_verified_not_resent(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.set_faults({"seed": 1, "lost_answer_rate": 1.0, "actions": ["AttachNetworkInterface"]})
    api = make_api(sim, [])
    request_id = api.attach_network_interface("i-sim-stop-01", "eni-sim-free-01")
    attaches = calls(sim, "AttachNetworkInterface")
    assert [call["code"] for call in attaches] == ["InternalError"]  # sent once, its answer lost
    assert request_id == attaches[0]["request_id"]
    eni = api.describe_network_interfaces(["eni-sim-free-01"])[0]
    assert eni["Status"] in ("Attaching", "InUse") and eni["InstanceId"] == "i-sim-stop-01"


def test_unavailable_before_a_mutating_call_is_resent_after_checking(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.fail_next({"action": "StopInstance", "code": "ServiceUnavailable", "status": 503, "count": 1})
    api = make_api(sim, [])
    assert api.stop_instance("i-sim-run-01")
    stops = calls(sim, "StopInstance")
    assert [call["code"] for call in stops] == ["ServiceUnavailable", None]
    # Read back after the lost answer and again just before the resend, both between the two sends.
    reads = calls(sim, "DescribeInstances")
    assert len(reads) == 2 and all(stops[0]["seq"] < read["seq"] < stops[1]["seq"] for read in reads)


def test_refused_state_after_a_lost_answer_is_judged_by_reading(ens_simulator_fresh):
    sim = ens_simulator_fresh
    # The first send lands but its answer is lost; the check reads fail every time (3 attempts after the
    # lost answer, 3 before the resend), so the call is sent again, refused for the ENI's state, and the
    # read that follows decides it landed.
    sim.control.set_faults({"seed": 1, "lost_answer_rate": 1.0, "actions": ["DetachNetworkInterface"]})
    sim.control.fail_next({"action": "DescribeNetworkInterfaces", "code": "ServiceUnavailable", "status": 503, "count": 6})
    api = make_api(sim, [], api_retries=2)
    assert api.detach_network_interface("eni-sim-stop-01-s1", "i-sim-stop-01") is not None
    codes = [call["code"] for call in calls(sim, "DetachNetworkInterface")]
    assert codes[0] == "InternalError" and codes[1] == "InvalidOperation.InvalidEniStatus"
    assert api.describe_network_interfaces(["eni-sim-stop-01-s1"])[0]["Status"] in ("Detaching", "Available")


def test_read_timeout_is_explicit_and_transient(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.set_faults({"seed": 1, "latency_ms": 2500})
    api = make_api(sim, [], api_retries=0, read_timeout=1)
    with pytest.raises(EnsApiError) as raised:
        api.describe_instances(["i-sim-run-01"])
    assert raised.value.code == "ConnectionError" and raised.value.transient and raised.value.maybe_applied
    assert "Timeout" in str(raised.value) and sim.url in str(raised.value)


def test_refused_connection_names_the_endpoint():
    api = EnsApi.from_params(dict(endpoint="http://127.0.0.1:9", access_key_id="k", access_key_secret=SECRET, api_retries=1))
    api.retry_policy.sleep = lambda seconds: None
    with pytest.raises(EnsApiError) as raised:
        api.describe_instances(["i-sim-run-01"])
    assert raised.value.code == "ConnectionError" and raised.value.transient and not raised.value.maybe_applied
    assert "http://127.0.0.1:9" in str(raised.value) and SECRET not in str(raised.value)


def test_incomplete_credentials_fail_before_any_call():
    with pytest.raises(EnsApiError, match="access_key_id is set but access_key_secret is not"):
        EnsApi.from_params(dict(endpoint="http://127.0.0.1:9", access_key_id="LTAIsimulatorKey0001"))


@pytest.mark.parametrize("region_id,endpoint", [
    (None, "https://ens.aliyuncs.com"),
    ("cn-hangzhou", "https://ens.aliyuncs.com"),
    ("cn-tianjin-cmcc", "https://ens.aliyuncs.com"),
])
def test_default_endpoint_is_the_sdk_one_for_the_region_or_the_centre(region_id, endpoint):
    api = EnsApi.from_params(dict(region_id=region_id, access_key_id="LTAIsimulatorKey0001", access_key_secret=SECRET))
    assert api.endpoint == endpoint


def test_an_interface_error_on_a_read_is_retried(ens_simulator_fresh):
    sim = ens_simulator_fresh
    sim.control.fail_next({"action": "DescribeInstances", "code": "ens.interface.error", "status": 400, "count": 2})
    api = make_api(sim, [], api_retries=2)
    assert api.describe_instances(["i-sim-run-01"])[0]["InstanceId"] == "i-sim-run-01"
    assert [call["code"] for call in calls(sim, "DescribeInstances")] == ["ens.interface.error"] * 2 + [None]


def test_an_interface_error_on_a_mutating_call_reads_back_before_the_resend(ens_simulator_fresh):
    sim = ens_simulator_fresh
    # The simulator's injected error has no effect: the read-back shows no change, so the call is sent again.
    sim.control.fail_next({"action": "AttachNetworkInterface", "code": "ens.interface.error", "status": 400, "count": 1})
    api = make_api(sim, [], api_retries=2)
    assert api.attach_network_interface("i-sim-stop-01", "eni-sim-free-01")
    log = [(call["action"], call["code"]) for call in sim.control.calls()["calls"]]
    assert log[0] == ("AttachNetworkInterface", "ens.interface.error")
    assert log[-1] == ("AttachNetworkInterface", None)
    assert {action for action, _code in log[1:-1]} == {"DescribeNetworkInterfaces"} and len(log) >= 3


def test_the_transport_guard_is_inert_outside_the_collections_calls(ens_simulator_fresh):
    from darabonba.core import DaraCore
    from ansible_collections.alibabacloud.ens.plugins.module_utils import _transport

    make_api(ens_simulator_fresh, [])  # installs the guard
    assert _transport.install() is True
    session = DaraCore._get_session("ens-test-inert", "http")
    assert all(isinstance(adapter, _transport.GuardedAdapter) for adapter in session.adapters.values())
    # Another user of the SDK in the same process (no run_bounded): its request goes through as before.
    answer = session.get(ens_simulator_fresh.url + "/_sim/state", timeout=5)
    assert answer.status_code == 200 and answer.json()
