# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""FleetWindow over a fake API on a fake clock: batch power calls, shared reads, one instance failing or refused
alone, rollback, journals, check mode, power states, timeouts."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.alibabacloud.ens.plugins.module_utils import _waiter
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError
from ansible_collections.alibabacloud.ens.plugins.module_utils._fleet import FleetWindow
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import READ_LAG_GRACE_SECONDS
from ansible_collections.alibabacloud.ens.tests.unit.plugins.module_utils.fake_cloud import Clock, FakeCloud, Resource, eni, instance

PARAMS = dict(power_state="restore", exclusive=False, allow_empty=False, force_stop=False, rollback=True,
              wait_timeout=300, power_wait_timeout=600, journal_dir=None)


def iid(number):
    return "i-%03d" % number


def old(number):
    return "eni-old%03d" % number


def new(number):
    return "eni-new%03d" % number


def fleet_cloud(count, status="Running", **options):
    """`count` instances, each with its primary ENI and eni-oldN attached, and eni-newN free."""
    instances, enis = [], []
    for number in range(1, count + 1):
        instances.append(instance(iid(number), status, attached=("eni-p%03d" % number, old(number))))
        enis += [eni("eni-p%03d" % number, "InUse", iid(number), type_="Primary"), eni(old(number), "InUse", iid(number)),
                 eni(new(number))]
    return FakeCloud(Clock(), instances=instances, enis=enis, **options)


def swap(*numbers):
    return [{"instance_id": iid(n), "detach": [old(n)], "attach": [new(n)]} for n in numbers]


def run_window(cloud, changes, check_mode=False, progress_file=None, **params):
    warnings, recorded = [], []
    window = FleetWindow(cloud, dict(PARAMS, **params), check_mode=check_mode, warn=warnings.append,
                         record=recorded.append, progress_file=progress_file, clock=cloud.clock, sleep=cloud.clock.sleep)
    outcomes = window.run(changes)
    return outcomes, warnings, recorded


def where(cloud, eni_id):
    state = cloud.truth(cloud.enis[eni_id])
    return state["Status"], state["InstanceId"]


def status(cloud, instance_id):
    return cloud.truth(cloud.instances[instance_id])["Status"]


def batch_calls(cloud, action, outcome="ok"):
    """The instance ids of each `action` call (StopInstances / StartInstances) that got `outcome`."""
    return [call[1].split(",") for call in cloud.calls if call[0] == action and call[2] == outcome]


def calls_naming(cloud, resource_id, actions=None):
    """Mutating calls (or `actions`) whose resources include `resource_id`."""
    calls = cloud.mutating_calls() if actions is None else [call for call in cloud.calls if call[0] in actions]
    return [call for call in calls if resource_id in call[1].split(",")]


def never_touched(cloud, number):
    """No mutating call named the instance or its ENIs, and it is as it was."""
    for resource in (iid(number), old(number), new(number)):
        assert calls_naming(cloud, resource) == [], resource
    assert status(cloud, iid(number)) == "Running"
    assert where(cloud, old(number)) == ("InUse", iid(number))
    assert where(cloud, new(number)) == ("Available", "")


def swapped(cloud, outcomes, number, final="Running", planned=True):
    """The instance's swap is done, in its outcome (`planned`: this run made all of it) and in truth."""
    outcome = outcomes[iid(number)]
    assert outcome["failed"] is False and outcome["refused"] is False and outcome["error"] == "", outcome["error"]
    assert outcome["changed"] is True
    if planned:
        assert outcome["detached"] == [old(number)] and outcome["attached"] == [new(number)]
    assert where(cloud, old(number)) == ("Available", "")
    assert where(cloud, new(number)) == ("InUse", iid(number))
    assert status(cloud, iid(number)) == final and outcome["status"] == final


@pytest.fixture
def steady_polls(monkeypatch):
    """Poll intervals without jitter: two runs of the same timings poll the same number of times."""
    monkeypatch.setattr(_waiter.random, "uniform", lambda low, high: high)


def window_reads(count):
    cloud = fleet_cloud(count)
    outcomes, _warnings, _recorded = run_window(cloud, swap(*range(1, count + 1)))
    for number in range(1, count + 1):
        swapped(cloud, outcomes, number)
    return cloud, dict((action, len(cloud.reads(action))) for action in ("DescribeInstances", "DescribeNetworkInterfaces"))


# -- one batch: batch power calls, shared reads ------------------------------------------------------------


def test_a_swap_of_12_instances_is_one_stop_call_one_start_call_and_reads_that_do_not_grow(steady_polls):
    cloud, reads = window_reads(12)
    ids = [iid(n) for n in range(1, 13)]
    assert batch_calls(cloud, "StopInstances") == [ids]
    assert batch_calls(cloud, "StartInstances") == [ids]
    assert [call for call in cloud.calls if call[0] in ("StopInstance", "StartInstance")] == []
    # Every ENI call once, each for its own instance's ENI.
    assert sorted(call[1] for call in cloud.calls if call[0] == "DetachNetworkInterface") == [old(n) for n in range(1, 13)]
    assert sorted(call[1] for call in cloud.calls if call[0] == "AttachNetworkInterface") == [new(n) for n in range(1, 13)]
    # Shared polls: the same reads as a window of one instance with the same timings, each naming every instance.
    _single, single_reads = window_reads(1)
    assert reads == single_reads
    assert all(len(call[1].split(",")) == 12 for call in cloud.reads("DescribeInstances"))
    assert len(cloud.calls) <= 10 * 12
    assert len(cloud.mutating_calls()) == 2 * 12 + 2


@pytest.mark.parametrize("lag", [0.0, 2.0])
@pytest.mark.parametrize("one_at_a_time", [False, True])
def test_two_enis_out_two_in_per_instance_under_read_lag_and_one_eni_operation_at_a_time(lag, one_at_a_time):
    cloud = fleet_cloud(4, lag=lag, one_eni_operation_per_instance=one_at_a_time)
    changes = swap(1, 2, 3, 4)
    for number in range(1, 5):
        cloud.enis["eni-o2%03d" % number] = Resource(eni("eni-o2%03d" % number, "InUse", iid(number)))
        cloud.enis["eni-n2%03d" % number] = Resource(eni("eni-n2%03d" % number))
        changes[number - 1]["detach"].append("eni-o2%03d" % number)
        changes[number - 1]["attach"].append("eni-n2%03d" % number)
    outcomes, _warnings, _recorded = run_window(cloud, changes)
    for number in range(1, 5):
        outcome = outcomes[iid(number)]
        assert outcome["failed"] is False, outcome["error"]
        assert outcome["detached"] == [old(number), "eni-o2%03d" % number]
        assert [where(cloud, e) for e in outcome["detached"]] == [("Available", "")] * 2
        assert [where(cloud, e) for e in outcome["attached"]] == [("InUse", iid(number))] * 2
        assert status(cloud, iid(number)) == "Running"
    assert len(batch_calls(cloud, "StopInstances")) == 1 and len(batch_calls(cloud, "StartInstances")) == 1
    if one_at_a_time:  # the API refused second operations: each was made again, never a failure
        assert any(call[2] == "InvalidOperation.InvalidEnsStatus" for call in cloud.calls)


def test_150_instances_are_stopped_and_started_100_ids_per_call_and_read_100_per_call(steady_polls):
    cloud, reads = window_reads(150)
    ids = [iid(n) for n in range(1, 151)]
    assert batch_calls(cloud, "StopInstances") == [ids[:100], ids[100:]]
    assert batch_calls(cloud, "StartInstances") == [ids[:100], ids[100:]]
    _single, single_reads = window_reads(1)
    for action, count in reads.items():
        assert count <= 2 * single_reads[action] + 2, (action, count, single_reads[action])
    assert all(len(call[1].split(",")) <= 100 for call in cloud.reads())
    assert len(cloud.calls) <= 10 * 150


def test_the_progress_file_follows_the_phases_and_ends_with_every_instance_done(tmp_path):
    cloud = fleet_cloud(3)
    progress = tmp_path / "progress.json"
    seen = []
    start_instances = cloud.start_instances

    def start_and_look(ids):
        seen.append(json.loads(progress.read_text()))
        return start_instances(ids)

    cloud.start_instances = start_and_look
    run_window(cloud, swap(1, 2, 3), progress_file=str(progress))
    assert seen[0]["phase"] == "start"
    assert set(seen[0]["instances"]) == set([iid(1), iid(2), iid(3)])
    final = json.loads(progress.read_text())
    assert final["phase"] == "done"
    assert [final["instances"][iid(n)]["state"] for n in (1, 2, 3)] == ["done"] * 3
    assert [final["instances"][iid(n)]["status"] for n in (1, 2, 3)] == ["Running"] * 3


# -- refused instances are never stopped -------------------------------------------------------------------


def plant_journal(folder, instance_id, content, mode=0o600):
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / ("%s.json" % instance_id)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    os.chmod(str(path), mode)
    return path


def journal_of(instance_id, previous_status="Running", to_detach=(), to_attach=()):
    return {"instance_id": instance_id, "previous_status": previous_status, "to_detach": list(to_detach),
            "to_attach": list(to_attach)}


def refuse_by_network(cloud, folder):
    cloud.enis[new(2)].change(float("-inf"), NetworkId="n-other")
    return swap(1, 2, 3), "the ENI is in network n-other, instance i-002 is in network n-main", "InvalidOperation.NetworkMismatch"


def refuse_by_symlink(cloud, folder):
    target = plant_journal(folder, "elsewhere", journal_of(iid(2)))
    os.symlink(str(target), str(folder / "i-002.json"))
    return swap(1, 2, 3), "is a symbolic link", "JournalRefused"


def refuse_by_world_writable(cloud, folder):
    plant_journal(folder, iid(2), journal_of(iid(2)), mode=0o666)
    return swap(1, 2, 3), "writable by its group or by everyone (mode 0666)", "JournalRefused"


def refuse_by_other_instance(cloud, folder):
    plant_journal(folder, iid(2), journal_of(iid(3)))
    return swap(1, 2, 3), 'it is about instance "i-003"', "JournalRefused"


def refuse_by_not_json(cloud, folder):
    plant_journal(folder, iid(2), "{not json")
    return swap(1, 2, 3), "is not JSON", "JournalRefused"


def refuse_by_bad_previous_status(cloud, folder):
    plant_journal(folder, iid(2), journal_of(iid(2), previous_status="Expired"))
    return swap(1, 2, 3), "its previous_status \"Expired\" is not one of", "JournalRefused"


def refuse_by_other_owner(cloud, folder):
    if os.getuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = plant_journal(folder, iid(2), journal_of(iid(2)))
    os.chown(str(path), 65534, -1)
    return swap(1, 2, 3), "owned by uid 65534, not by the user running the module", "JournalRefused"


def refuse_by_missing_eni(cloud, folder):
    changes = swap(1, 2, 3)
    changes[1]["attach"].append("eni-gone002")
    return changes, "eni-gone002: the ENI does not exist", "InvalidEniId.NotFound"


def refuse_by_bad_id(cloud, folder):
    changes = swap(1, 2, 3)
    changes[1]["attach"] = ["eni new002"]
    return changes, "changes[1].attach 'eni new002' contains whitespace", "InvalidParameter"


@pytest.mark.parametrize("case", [refuse_by_network, refuse_by_symlink, refuse_by_world_writable, refuse_by_other_instance,
                                  refuse_by_not_json, refuse_by_bad_previous_status, refuse_by_other_owner,
                                  refuse_by_missing_eni, refuse_by_bad_id])
def test_a_refused_instance_is_never_stopped_and_the_others_go_on(tmp_path, case):
    cloud = fleet_cloud(3)
    folder = tmp_path / "journals"
    changes, rule, code = case(cloud, folder)
    journals = sorted(os.listdir(str(folder))) if folder.exists() else []
    outcomes, _warnings, _recorded = run_window(cloud, changes, journal_dir=str(folder))
    refused = outcomes[iid(2)]
    assert refused["refused"] is True and refused["failed"] is True and refused["changed"] is False
    assert rule in refused["error"]
    assert refused["error_code"] == code
    never_touched(cloud, 2)
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)
    assert batch_calls(cloud, "StopInstances") == [[iid(1), iid(3)]]
    # The untrusted journal is left as found; the others' journals are closed.
    assert sorted(os.listdir(str(folder))) == journals


@pytest.mark.parametrize("found,rule,code", [
    ("Expired", "the instance is Expired (a prepaid instance past its term", "InvalidOperation.InvalidEnsStatus"),
    ("Releasing", "the instance is Releasing", "InvalidOperation.InvalidEnsStatus"),
    ("Creating", "Instance i-002 is Creating: a window opens only on an instance that is", "IncorrectInstanceStatus"),
    (None, "i-002: the instance does not exist", "InstanceNotFound"),
])
def test_an_instance_in_a_status_no_window_can_start_from_is_refused_and_never_stopped(found, rule, code):
    cloud = fleet_cloud(3)
    if found is None:
        del cloud.instances[iid(2)]
    else:
        cloud.instances[iid(2)].change(float("-inf"), Status=found)
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3))
    refused = outcomes[iid(2)]
    assert refused["refused"] and refused["changed"] is False and refused["error_code"] == code
    assert rule in refused["error"]
    assert refused["request_id"]  # the read that showed it
    for resource in (iid(2), old(2), new(2)):
        assert calls_naming(cloud, resource) == []
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)


def test_an_eni_named_by_two_instances_refuses_both_and_the_others_go_on():
    cloud = fleet_cloud(3)
    changes = swap(1, 2, 3)
    changes[2]["attach"].append(new(2))
    outcomes, _warnings, _recorded = run_window(cloud, changes)
    for number in (2, 3):
        outcome = outcomes[iid(number)]
        assert outcome["refused"] and outcome["error_code"] == "InvalidParameter"
        assert "eni-new002 is also in the change of instance" in outcome["error"]
        never_touched(cloud, number)
    swapped(cloud, outcomes, 1)


def test_an_instance_listed_twice_is_refused():
    cloud = fleet_cloud(2)
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2) + swap(2))
    assert "instance i-002 is listed 2 times" in outcomes[iid(2)]["error"]
    never_touched(cloud, 2)
    swapped(cloud, outcomes, 1)


def test_a_journal_folder_writable_by_its_group_refuses_every_instance_with_no_call_at_all(tmp_path):
    cloud = fleet_cloud(3)
    folder = tmp_path / "journals"
    folder.mkdir()
    os.chmod(str(folder), 0o770)
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3), journal_dir=str(folder))
    for number in (1, 2, 3):
        assert outcomes[iid(number)]["refused"]
        assert "writable by its group or by everyone (mode 0770)" in outcomes[iid(number)]["error"]
        never_touched(cloud, number)
    assert cloud.calls == []
    assert stat.S_IMODE(os.stat(str(folder)).st_mode) == 0o770  # never changed by the module


def test_a_journal_that_cannot_be_written_refuses_its_instance_before_any_stop(tmp_path):
    cloud = fleet_cloud(3)
    folder = tmp_path / "journals"
    folder.mkdir(mode=0o700)
    (folder / ("i-002.json.tmp-%d" % os.getpid())).mkdir()  # the journal's temporary file cannot be opened, even by root
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3), journal_dir=str(folder))
    assert outcomes[iid(2)]["refused"] and outcomes[iid(2)]["error_code"] == "JournalNotWritten"
    assert "nothing was stopped" in outcomes[iid(2)]["error"]
    never_touched(cloud, 2)
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)


def test_a_journal_that_cannot_be_removed_after_its_window_fails_that_instance_alone_and_is_kept(tmp_path):
    cloud = fleet_cloud(3)
    folder = tmp_path / "journals"
    journal = folder / "i-002.json"
    start_instances = cloud.start_instances

    def start_with_a_journal_stuck_in_place(instance_ids):
        journal.unlink()
        journal.mkdir()  # a folder in the journal's place cannot be unlinked, even by root
        (journal / "kept").write_text("")
        return start_instances(instance_ids)

    cloud.start_instances = start_with_a_journal_stuck_in_place
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3), journal_dir=str(folder))
    stuck = outcomes[iid(2)]
    assert stuck["failed"] is True and stuck["changed"] is True and stuck["error_code"] == "JournalNotRemoved"
    assert str(journal) in stuck["error"] and "could not be removed" in stuck["error"]
    assert stuck["journal"]["kept"] is True and journal.is_dir()
    # The window itself finished: ENIs swapped, instance Running.
    assert where(cloud, old(2)) == ("Available", "") and where(cloud, new(2)) == ("InUse", iid(2))
    assert status(cloud, iid(2)) == "Running" and stuck["status"] == "Running"
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)
    assert sorted(os.listdir(str(folder))) == ["i-002.json"]


# -- a failure after the stop: that instance alone, rolled back and started -----------------------------


def failing_attach_cloud():
    """i-002 is to get two ENIs; the second one's attach is refused with a final error after its stop."""
    cloud = fleet_cloud(3)
    cloud.enis["eni-x002"] = Resource(eni("eni-x002"))
    cloud.fail[("AttachNetworkInterface", "eni-x002")] = "InvalidOperation.Conflict"
    changes = swap(1, 2, 3)
    changes[1]["attach"].append("eni-x002")
    return cloud, changes


def test_an_attach_failing_after_the_stop_fails_that_instance_alone_rolled_back_and_started(tmp_path):
    cloud, changes = failing_attach_cloud()
    folder = tmp_path / "journals"
    outcomes, _warnings, _recorded = run_window(cloud, changes, journal_dir=str(folder))
    failed = outcomes[iid(2)]
    refusal = [call for call in cloud.calls if call[1] == "eni-x002" and call[2] == "InvalidOperation.Conflict"]
    assert len(refusal) == 1
    request_id = "RQ-refused-%d" % (cloud.calls.index(refusal[0]) + 1)
    assert failed["failed"] is True and failed["refused"] is False and failed["changed"] is True
    assert failed["error"].startswith("Attach the ENIs failed on i-002: ")
    assert failed["error_code"] == "InvalidOperation.Conflict" and failed["request_id"] == request_id
    assert "InvalidOperation.Conflict" in failed["error"] and request_id in failed["error"]
    assert ("Rolled back: every ENI is where it was before the window (attached as before: eni-old002; "
            "detached as before: eni-new002, eni-x002).") in failed["error"]
    assert failed["error"].endswith("The instance was returned to running.")
    assert failed["rollback"]["needed"] and failed["rollback"]["done"] and failed["rollback"]["error"] == ""
    assert failed["rollback"]["reattached"] == [old(2)] and failed["rollback"]["detached"] == [new(2), "eni-x002"]
    # Rolled back in truth: its detached ENI attached again, the one its window attached detached again.
    assert where(cloud, old(2)) == ("InUse", iid(2))
    assert where(cloud, new(2)) == ("Available", "")
    assert where(cloud, "eni-x002") == ("Available", "")
    assert status(cloud, iid(2)) == "Running" and failed["final_state"] == "running"
    detaches = [call[1] for call in cloud.calls if call[0] == "DetachNetworkInterface" and call[1] == new(2)]
    assert detaches == [new(2)]
    assert [call[1] for call in cloud.calls if call[0] == "AttachNetworkInterface" and call[1] == old(2)] == [old(2)]
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)
    ids = [iid(1), iid(2), iid(3)]
    assert batch_calls(cloud, "StopInstances") == [ids] and batch_calls(cloud, "StartInstances") == [ids]
    assert os.listdir(str(folder)) == []  # rolled back: nothing left to finish
    assert failed["journal"]["kept"] is False


def test_a_rollback_that_fails_too_keeps_the_journal_says_where_the_enis_are_and_the_next_run_finishes(tmp_path):
    cloud, changes = failing_attach_cloud()
    cloud.fail[("AttachNetworkInterface", old(2))] = "InvalidOperation.Conflict"
    folder = tmp_path / "journals"
    outcomes, _warnings, _recorded = run_window(cloud, changes, journal_dir=str(folder))
    failed = outcomes[iid(2)]
    rollback = failed["rollback"]
    assert failed["failed"] and rollback["needed"] and not rollback["done"]
    assert rollback["error"].startswith("Attach again the ENIs this window detached failed") or \
        "Attach again the ENIs this window detached" in rollback["error"]
    assert rollback["where"] == {old(2): "Available (before the window: attached to i-002)",
                                 new(2): "Available (before the window: detached)",
                                 "eni-x002": "Available (before the window: detached)"}
    journal = folder / "i-002.json"
    assert failed["journal"] == {"found": False, "path": str(journal), "kept": True}
    assert json.loads(journal.read_text()) == journal_of(iid(2), "Running", [old(2)], [new(2), "eni-x002"])
    assert "The rollback failed too" in failed["error"] and str(journal) in failed["error"]
    assert failed["error"].endswith("The instance was returned to running.")
    assert status(cloud, iid(2)) == "Running"
    assert sorted(os.listdir(str(folder))) == ["i-002.json"]
    swapped(cloud, outcomes, 1)

    # The next run (the cause gone) finishes the change the journal's window was making.
    again, _warnings, _recorded = run_window(cloud, changes, journal_dir=str(folder))
    outcome = again[iid(2)]
    assert outcome["failed"] is False and outcome["changed"] is True and outcome["journal"]["found"] is True
    assert outcome["previous_status"] == "Running"
    assert where(cloud, old(2)) == ("Available", "")
    assert where(cloud, new(2)) == ("InUse", iid(2)) and where(cloud, "eni-x002") == ("InUse", iid(2))
    assert status(cloud, iid(2)) == "Running"
    assert os.listdir(str(folder)) == []
    assert again[iid(1)]["changed"] is False  # already swapped: not stopped again


def test_an_eni_taken_by_someone_else_inside_the_window_fails_that_instance_naming_the_read_and_rolls_it_back():
    cloud = fleet_cloud(3)
    stop_instances = cloud.stop_instances

    def stop_and_take(ids):
        answer = stop_instances(ids)
        cloud.enis[new(2)].change(cloud.clock(), Status="InUse", InstanceId="i-other")
        return answer

    cloud.stop_instances = stop_and_take
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3))
    failed = outcomes[iid(2)]
    reads = [index for index, call in enumerate(cloud.calls)
             if call[0] == "DescribeNetworkInterfaces" and new(2) in call[1].split(",")]
    fresh_read = "RQ-%d" % (reads[1] + 1)  # the attach phase's own read, after the plan's
    assert failed["error"].startswith("Attach the ENIs failed on i-002: Cannot attach: eni-new002: the ENI is InUse on "
                                      "instance i-other")
    assert "(error code InvalidOperation.InvalidEniStatus, request id %s)" % fresh_read in failed["error"]
    assert failed["error_code"] == "InvalidOperation.InvalidEniStatus" and failed["request_id"] == fresh_read
    assert failed["rollback"]["done"] and where(cloud, old(2)) == ("InUse", iid(2))
    assert where(cloud, new(2)) == ("InUse", "i-other")  # never taken from its new owner
    assert calls_naming(cloud, new(2)) == []
    assert status(cloud, iid(2)) == "Running"
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)


def test_rollback_off_leaves_the_enis_but_still_returns_the_instance_to_running():
    cloud, changes = failing_attach_cloud()
    outcomes, _warnings, _recorded = run_window(cloud, changes, rollback=False)
    failed = outcomes[iid(2)]
    assert failed["failed"] and failed["rollback"]["needed"] and not failed["rollback"]["done"]
    assert "Rollback is off" in failed["error"] and failed["error"].endswith("The instance was returned to running.")
    assert where(cloud, old(2)) == ("Available", "") and where(cloud, new(2)) == ("InUse", iid(2))
    assert status(cloud, iid(2)) == "Running"


# -- the batch power calls: a refused entry, a throttled call, force_stop -----------------------------------


def test_an_instance_refused_in_the_stop_answer_fails_alone_after_the_grace_period_and_is_never_changed(tmp_path):
    cloud = fleet_cloud(3)
    cloud.batch_refuse[iid(2)] = "IncorrectInstanceStatus"
    cloud.slow[iid(3)] = 2 * READ_LAG_GRACE_SECONDS  # still stopping when i-002's refusal becomes final: it goes on
    folder = tmp_path / "journals"
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3), journal_dir=str(folder))
    failed = outcomes[iid(2)]
    stop_call = [call for call in cloud.calls if call[0] == "StopInstances"][0]
    request_id = "RQ-%d" % (cloud.calls.index(stop_call) + 1)
    assert failed["failed"] and not failed["refused"]
    assert failed["error"].startswith("Stop the instance failed on i-002: StopInstances refused instance i-002")
    assert failed["error_code"] == "IncorrectInstanceStatus" and failed["request_id"] == request_id
    assert "(error code IncorrectInstanceStatus, request id %s)" % request_id in failed["error"]
    assert "%d s of reads after the refusal still show i-002 Running" % READ_LAG_GRACE_SECONDS in failed["error"]
    assert failed["error"].endswith("The instance was returned to running.")
    assert failed["rollback"]["needed"] is False
    # The refusal was given the grace period (reads lagging another change would explain it), not failed at once.
    first_detach = [call[0] for call in cloud.calls].index("DetachNetworkInterface")
    polls = [call for call in cloud.calls[:first_detach] if call[0] == "DescribeInstances" and iid(2) in call[1].split(",")]
    assert len(polls) >= 10
    # Never stopped for real, no ENI call, never asked to stop twice; the others finished.
    assert [call for call in calls_naming(cloud, iid(2)) if call[0] != "StopInstances"] == []
    assert len(calls_naming(cloud, iid(2), ("StopInstances",))) == 1
    for resource in (old(2), new(2)):
        assert calls_naming(cloud, resource) == []
    assert status(cloud, iid(2)) == "Running" and where(cloud, old(2)) == ("InUse", iid(2))
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)
    assert os.listdir(str(folder)) == []


@pytest.mark.parametrize("action", ["StopInstances", "StartInstances"])
def test_a_throttled_batch_power_call_is_made_again_and_succeeds(action):
    cloud = fleet_cloud(3)
    cloud.throttle[action] = 2
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3))
    ids = [iid(1), iid(2), iid(3)]
    assert batch_calls(cloud, action, "Throttling.User") == [ids, ids]
    assert batch_calls(cloud, action) == [ids]
    for number in (1, 2, 3):
        swapped(cloud, outcomes, number)


@pytest.mark.parametrize("action,count", [("DescribeInstances", 6), ("DescribeNetworkInterfaces", 6),
                                          ("DetachNetworkInterface", 3), ("AttachNetworkInterface", 3)])
def test_throttled_reads_and_eni_calls_slow_the_window_down_and_never_fail_it(action, count):
    cloud = fleet_cloud(3)
    cloud.throttle[action] = count
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3))
    assert len([call for call in cloud.calls if call[0] == action and call[2] == "Throttling.User"]) == count
    for number in (1, 2, 3):
        swapped(cloud, outcomes, number)


def test_a_stop_that_never_ends_fails_that_instance_whose_journal_is_kept_as_it_could_not_be_started(tmp_path):
    cloud = fleet_cloud(3)
    cloud.slow[iid(2)] = 10000.0
    folder = tmp_path / "journals"
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3), power_wait_timeout=60, journal_dir=str(folder))
    failed = outcomes[iid(2)]
    assert failed["failed"] and not failed["refused"]
    assert failed["error"].startswith("Stop the instance failed on i-002: Timed out after 60 s waiting for instance i-002 "
                                      "to be stopped: i-002 is Stopping")
    assert "The instance could not be returned to running" in failed["error"]
    assert failed["rollback"]["needed"] is False
    assert calls_naming(cloud, old(2)) == [] and calls_naming(cloud, new(2)) == []
    assert failed["journal"]["kept"] is True and (folder / "i-002.json").exists()
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)
    assert sorted(os.listdir(str(folder))) == ["i-002.json"]


def test_an_instance_that_disappears_inside_its_window_fails_alone():
    cloud = fleet_cloud(3)
    stop_instances = cloud.stop_instances

    def stop_and_release(ids):
        answer = stop_instances(ids)
        del cloud.instances[iid(2)]
        return answer

    cloud.stop_instances = stop_and_release
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3))
    failed = outcomes[iid(2)]
    assert failed["failed"] and "Instance i-002 disappeared while waiting for it to be Stopped" in failed["error"]
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 3)


def test_a_lost_stop_instances_answer_is_followed_by_reads_never_sent_again():
    cloud = fleet_cloud(3)
    stop_instances = cloud.stop_instances

    def applied_then_lost(ids):
        stop_instances(ids)
        cloud.calls.append(("StopInstances", ",".join(ids), "lost"))
        raise EnsApiError("lost answer", code="ServiceUnavailable", request_id="RQ-lost", transient=True, maybe_applied=True)

    cloud.stop_instances = applied_then_lost
    outcomes, _warnings, recorded = run_window(cloud, swap(1, 2, 3))
    assert [call[2] for call in cloud.calls if call[0] == "StopInstances"] == ["ok", "lost"]
    assert recorded.count("RQ-lost") == 3  # each instance's stop followed under the lost answer's request id
    for number in (1, 2, 3):
        swapped(cloud, outcomes, number)


def test_force_stop_stops_each_instance_with_its_own_call_since_stop_instances_has_no_force():
    cloud = fleet_cloud(2)
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2), force_stop=True)
    assert batch_calls(cloud, "StopInstances") == []
    assert sorted(call[1] for call in cloud.calls if call[0] == "StopInstance") == [iid(1), iid(2)]
    assert batch_calls(cloud, "StartInstances") == [[iid(1), iid(2)]]
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 2)


# -- check mode -------------------------------------------------------------------------------------------


def test_check_mode_makes_no_mutating_call_and_shows_each_instances_change(tmp_path):
    cloud = fleet_cloud(3)
    folder = tmp_path / "journals"
    changes = swap(1, 2) + [{"instance_id": iid(3), "detach": [new(3)], "attach": [old(3)]}]  # i-003: nothing to do
    outcomes, _warnings, recorded = run_window(cloud, changes, check_mode=True, journal_dir=str(folder))
    assert cloud.mutating_calls() == [] and recorded == []
    for number in (1, 2):
        outcome = outcomes[iid(number)]
        assert outcome["changed"] is True and outcome["failed"] is False
        assert outcome["diff"] == {
            "before": {"status": "Running", "network_interfaces": {old(number): {"status": "InUse", "instance_id": iid(number)},
                                                                   new(number): {"status": "Available", "instance_id": ""}}},
            "after": {"status": "Running", "network_interfaces": {old(number): {"status": "Available", "instance_id": ""},
                                                                  new(number): {"status": "InUse", "instance_id": iid(number)}}}}
        never_touched(cloud, number)
    unchanged = outcomes[iid(3)]
    assert unchanged["changed"] is False and unchanged["diff"]["before"] == unchanged["diff"]["after"]
    assert not folder.exists()  # no journal either


def test_check_mode_with_power_state_stopped_shows_the_instance_stopped_after():
    cloud = fleet_cloud(1)
    outcomes, _warnings, _recorded = run_window(cloud, swap(1), check_mode=True, power_state="stopped")
    assert outcomes[iid(1)]["diff"]["after"]["status"] == "Stopped" and outcomes[iid(1)]["final_state"] == "stopped"
    assert cloud.mutating_calls() == []


# -- journals -----------------------------------------------------------------------------------------------


def test_each_journal_is_written_before_the_stop_and_removed_after(tmp_path):
    cloud = fleet_cloud(3)
    cloud.instances[iid(3)].change(float("-inf"), Status="Stopped")
    folder = tmp_path / "windows"
    seen = {}
    stop_instances = cloud.stop_instances

    def stop_and_look(ids):
        for name in os.listdir(str(folder)):
            path = folder / name
            seen[name] = (json.loads(path.read_text()), stat.S_IMODE(os.lstat(str(path)).st_mode))
        return stop_instances(ids)

    cloud.stop_instances = stop_and_look
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3), journal_dir=str(folder))
    assert seen == {
        "i-001.json": (journal_of(iid(1), "Running", [old(1)], [new(1)]), 0o600),
        "i-002.json": (journal_of(iid(2), "Running", [old(2)], [new(2)]), 0o600),
        "i-003.json": (journal_of(iid(3), "Stopped", [old(3)], [new(3)]), 0o600),
    }
    assert stat.S_IMODE(os.stat(str(folder)).st_mode) == 0o700  # made by the module
    assert os.listdir(str(folder)) == []
    swapped(cloud, outcomes, 1)
    swapped(cloud, outcomes, 2)
    swapped(cloud, outcomes, 3, final="Stopped")


def killed(cloud, number, previous_status="Running", detached=True, attached=False):
    """The state a play killed inside i-N's window leaves: stopped, the swap done as far as asked."""
    cloud.instances[iid(number)].change(float("-inf"), Status="Stopped")
    if detached:
        cloud.enis[old(number)].change(float("-inf"), Status="Available", InstanceId="")
    if attached:
        cloud.enis[new(number)].change(float("-inf"), Status="InUse", InstanceId=iid(number))


def test_a_window_killed_half_way_is_finished_by_the_next_run_and_its_power_state_restored(tmp_path):
    cloud = fleet_cloud(2)
    folder = tmp_path / "journals"
    killed(cloud, 1)
    plant_journal(folder, iid(1), journal_of(iid(1), "Running", [old(1)], [new(1)]))
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2), journal_dir=str(folder))
    outcome = outcomes[iid(1)]
    swapped(cloud, outcomes, 1, planned=False)
    swapped(cloud, outcomes, 2)
    assert outcome["journal"]["found"] is True and outcome["previous_status"] == "Running"
    assert outcome["to_detach"] == [] and outcome["to_attach"] == [new(1)]
    assert batch_calls(cloud, "StopInstances") == [[iid(2)]]  # i-001 is stopped already
    assert batch_calls(cloud, "StartInstances") == [[iid(1), iid(2)]]
    assert os.listdir(str(folder)) == []


def test_a_rerun_of_a_killed_window_that_fails_rolls_back_to_before_the_first_window(tmp_path):
    cloud = fleet_cloud(2)
    folder = tmp_path / "journals"
    killed(cloud, 1)
    plant_journal(folder, iid(1), journal_of(iid(1), "Running", [old(1)], [new(1)]))
    cloud.fail[("AttachNetworkInterface", new(1))] = "InvalidOperation.Conflict"
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2), journal_dir=str(folder))
    failed = outcomes[iid(1)]
    assert failed["failed"] and failed["to_detach"] == [] and failed["to_attach"] == [new(1)]
    # This run detached nothing, but the killed window had: the rollback attaches it again.
    assert failed["rollback"]["done"] and failed["rollback"]["reattached"] == [old(1)]
    assert failed["rollback"]["detached"] == [new(1)]
    assert where(cloud, old(1)) == ("InUse", iid(1)) and where(cloud, new(1)) == ("Available", "")
    assert status(cloud, iid(1)) == "Running"
    swapped(cloud, outcomes, 2)
    assert os.listdir(str(folder)) == []


def test_a_killed_window_whose_enis_this_run_does_not_ask_for_puts_them_back(tmp_path):
    cloud = fleet_cloud(1)
    folder = tmp_path / "journals"
    killed(cloud, 1, attached=True)
    plant_journal(folder, iid(1), journal_of(iid(1), "Running", [old(1)], [new(1)]))
    outcomes, _warnings, _recorded = run_window(cloud, [{"instance_id": iid(1)}], journal_dir=str(folder))
    outcome = outcomes[iid(1)]
    assert outcome["failed"] is False and outcome["changed"] is True
    assert outcome["to_detach"] == [new(1)] and outcome["to_attach"] == [old(1)]
    assert where(cloud, old(1)) == ("InUse", iid(1)) and where(cloud, new(1)) == ("Available", "")
    assert status(cloud, iid(1)) == "Running"
    assert os.listdir(str(folder)) == []


def test_a_killed_window_with_every_eni_done_is_only_returned_to_its_power_state(tmp_path):
    cloud = fleet_cloud(1)
    folder = tmp_path / "journals"
    killed(cloud, 1, attached=True)
    plant_journal(folder, iid(1), journal_of(iid(1), "Running", [old(1)], [new(1)]))
    outcomes, _warnings, _recorded = run_window(cloud, swap(1), journal_dir=str(folder))
    assert outcomes[iid(1)]["changed"] is True and outcomes[iid(1)]["failed"] is False
    assert [call[0] for call in cloud.mutating_calls()] == ["StartInstances"]
    assert outcomes[iid(1)]["to_detach"] == [] and outcomes[iid(1)]["to_attach"] == []
    swapped(cloud, outcomes, 1, planned=False)
    assert os.listdir(str(folder)) == []


def test_a_killed_window_of_an_instance_that_was_stopped_leaves_it_stopped(tmp_path):
    cloud = fleet_cloud(1)
    folder = tmp_path / "journals"
    killed(cloud, 1)
    plant_journal(folder, iid(1), journal_of(iid(1), "Stopped", [old(1)], [new(1)]))
    outcomes, _warnings, _recorded = run_window(cloud, swap(1), journal_dir=str(folder))
    swapped(cloud, outcomes, 1, final="Stopped", planned=False)
    assert outcomes[iid(1)]["previous_status"] == "Stopped" and outcomes[iid(1)]["final_state"] == "stopped"
    assert batch_calls(cloud, "StartInstances") == [] and batch_calls(cloud, "StopInstances") == []


# -- power states, nothing to do -----------------------------------------------------------------------------


def test_power_state_per_instance_and_an_instance_with_nothing_to_change_is_never_stopped():
    cloud = fleet_cloud(4)
    cloud.instances[iid(2)].change(float("-inf"), Status="Stopped")
    cloud.instances[iid(4)].change(float("-inf"), Status="Stopped")
    changes = swap(1, 2) + [{"instance_id": iid(3), "detach": [new(3)], "attach": [old(3)]},   # already so
                            {"instance_id": iid(4), "detach": [new(4)], "attach": [old(4)], "power_state": "running"}]
    changes[1]["power_state"] = "running"
    outcomes, _warnings, _recorded = run_window(cloud, changes, power_state="stopped")
    swapped(cloud, outcomes, 1, final="Stopped")       # the module's power_state: left stopped
    swapped(cloud, outcomes, 2, final="Running")       # its own power_state: started after its window
    for number in (3, 4):                              # nothing to change: no window, power left alone
        outcome = outcomes[iid(number)]
        assert outcome["changed"] is False and outcome["failed"] is False
        assert calls_naming(cloud, iid(number)) == []
    assert status(cloud, iid(3)) == "Running" and status(cloud, iid(4)) == "Stopped"
    assert batch_calls(cloud, "StopInstances") == [[iid(1)]]
    assert batch_calls(cloud, "StartInstances") == [[iid(2)]]


def test_exclusive_detaches_every_other_secondary_eni_of_each_instance():
    cloud = fleet_cloud(2)
    cloud.enis["eni-extra001"] = Resource(eni("eni-extra001", "InUse", iid(1)))
    changes = [{"instance_id": iid(n), "attach": [new(n)]} for n in (1, 2)]
    outcomes, _warnings, _recorded = run_window(cloud, changes, exclusive=True)
    assert outcomes[iid(1)]["detached"] == ["eni-extra001", old(1)]
    assert where(cloud, "eni-extra001") == ("Available", "") and where(cloud, "eni-p001") == ("InUse", iid(1))
    swapped(cloud, outcomes, 2)
    assert batch_calls(cloud, "StopInstances") == [[iid(1), iid(2)]]


# -- a wait that runs out in the ENI phase ---------------------------------------------------------------------


def test_an_eni_wait_timeout_fails_only_the_instances_still_pending_which_are_rolled_back_and_started(tmp_path):
    cloud = fleet_cloud(5)
    cloud.slow[old(2)] = 25.0
    cloud.slow[old(4)] = 25.0
    folder = tmp_path / "journals"
    outcomes, _warnings, _recorded = run_window(cloud, swap(1, 2, 3, 4, 5), wait_timeout=20, journal_dir=str(folder))
    for number in (2, 4):
        failed = outcomes[iid(number)]
        assert failed["failed"] and not failed["refused"]
        assert failed["error"].startswith("Detach the ENIs failed on %s: Timed out after 20 s waiting for the ENIs of "
                                          "instance %s to detach: %s is Detaching" % (iid(number), iid(number), old(number)))
        assert failed["rollback"]["done"] and failed["error"].endswith("The instance was returned to running.")
        assert where(cloud, old(number)) == ("InUse", iid(number)) and where(cloud, new(number)) == ("Available", "")
        assert status(cloud, iid(number)) == "Running"
        assert calls_naming(cloud, new(number)) == []  # its attach phase never came
    for number in (1, 3, 5):
        swapped(cloud, outcomes, number)
    assert batch_calls(cloud, "StartInstances") == [[iid(n) for n in range(1, 6)]]
    assert os.listdir(str(folder)) == []


def test_the_progress_file_marks_refused_failed_and_unchanged_instances(tmp_path):
    cloud, changes = failing_attach_cloud()
    cloud.enis[new(3)].change(float("-inf"), NetworkId="n-other")
    changes.append({"instance_id": "i-004"})
    cloud.instances["i-004"] = Resource(instance("i-004", "Running"))
    progress = tmp_path / "progress.json"
    run_window(cloud, changes, progress_file=str(progress))
    states = dict((instance_id, entry["state"]) for instance_id, entry in json.loads(progress.read_text())["instances"].items())
    assert states == {iid(1): "done", iid(2): "failed", iid(3): "refused", "i-004": "unchanged"}


def test_no_changes_make_no_call():
    cloud = fleet_cloud(2)
    outcomes, _warnings, _recorded = run_window(cloud, [])
    assert outcomes == {} and cloud.calls == []


def test_the_fake_clock_moves_on_even_for_a_sleep_below_its_resolution():
    clock = Clock()
    clock.now = 160.123
    clock.sleep(1e-15)  # 160.123 + 1e-15 == 160.123 in floats
    assert clock() > 160.123
