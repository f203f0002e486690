# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ens_eni_batch action plugin: the progress line, reading a broken progress file, and the reporting
thread around a fake module run (started with the run, stopped when it returns, temp folder removed)."""

from __future__ import annotations

import contextvars
import json
import os
import stat
import threading
import time
from unittest import mock

import pytest

from ansible_collections.alibabacloud.ens.plugins.action import ens_eni_batch
from ansible_collections.alibabacloud.ens.plugins.action.ens_eni_batch import (
    ActionModule, _format_progress_line, _parse_progress, _progress_interval, _progress_report)

# Only guards a broken test from hanging forever; it times nothing.
HANG_GUARD_SECONDS = 120
CALLER_CONTEXT = contextvars.ContextVar('caller_context', default='not copied')


def fleet(states):
    """A progress document: ``states`` is a list of (instance_id, state, status, detail)."""
    return {"started": time.time(), "updated": time.time(), "phase": "detach",
            "instances": {iid: {"state": state, "status": status, "detail": detail} for iid, state, status, detail in states}}


def line_for(document, elapsed=45):
    phase, instances = _parse_progress(document)
    return _format_progress_line(phase, instances, elapsed)


# --- the line --------------------------------------------------------------------------------------------


def test_line_counts_every_state_and_names_the_ones_still_open():
    document = fleet([
        ("i-a", "waiting", "Stopping", ""),
        ("i-b", "waiting", "Stopped", "detach eni-x: Detaching"),
        ("i-c", "done", "Running", ""),
        ("i-d", "failed", "Running", "StopInstance: IncorrectInstanceStatus"),
        ("i-e", "unchanged", "Running", ""),
        ("i-f", "refused", "Running", "eni-9 is in another network"),
    ])
    assert line_for(document) == (
        "ens_eni_batch: 45 s, detach: 1/6 done, 1 unchanged, 1 failed, 1 refused, 2 waiting: "
        "i-d failed: StopInstance: IncorrectInstanceStatus; i-f refused: eni-9 is in another network; "
        "i-a Stopping; i-b detach eni-x: Detaching")


def test_line_names_at_most_ten_and_counts_the_rest():
    states = [("i-%03d" % n, "done", "Running", "") for n in range(63)]
    states += [("i-%03d" % n, "waiting", "Stopped", "detach eni-%d: Detaching" % n) for n in range(63, 99)]
    states += [("i-099", "failed", "Running", "rolled back")]
    line = line_for(fleet(states))
    assert line.startswith("ens_eni_batch: 45 s, detach: 63/100 done, 1 failed, 36 waiting: i-099 failed: rolled back; "
                           "i-063 detach eni-63: Detaching; ")
    assert line.endswith("i-071 detach eni-71: Detaching (+27 more)")
    assert line.count(";") == 9
    assert "i-072" not in line and "i-000" not in line


def test_line_stays_one_bounded_line_of_plain_text():
    hostile = "\x1b[31mred\x1b[0m\nsecond line\r\t" + "x" * 5000
    states = [("i-%02d\x1b[2J" % n, "waiting", hostile, hostile) for n in range(1000)]
    document = fleet(states)
    document["phase"] = "stop\n" + "p" * 500
    line = line_for(document)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\t" not in line
    assert all(char.isprintable() for char in line)
    assert len(line) <= ens_eni_batch.MAX_LINE_CHARS
    assert line.endswith("(+990 more)")
    assert "0/1000 done, 1000 waiting" in line


def test_instances_with_the_same_text_are_named_together():
    states = [("i-%02d" % n, "waiting", "Starting", "start: Starting") for n in range(1, 13)]
    states += [("i-50", "waiting", "Stopped", "attach: eni-50 is Attaching"), ("i-51", "refused", "Running", "refused, never stopped")]
    assert line_for(fleet(states)) == (
        "ens_eni_batch: 45 s, detach: 0/14 done, 1 refused, 13 waiting: i-51 refused, never stopped; "
        "i-01, i-02, i-03, i-04, i-05, i-06, i-07, i-08, i-09 start: Starting (+4 more)")


def test_long_details_name_fewer_instances_within_the_line_budget():
    detail = "detach: eni-x is Detaching (the DetachNetworkInterface call was accepted 12 s ago, no read has shown the change yet, throttled twice)"
    states = [("i-%02d" % n, "waiting", "Stopped", detail.replace("eni-x", "eni-%02d" % n)) for n in range(1, 13)]
    line = line_for(fleet(states))
    named = line.split(" waiting: ", 1)[1].split("; ")
    assert 1 < len(named) < 10
    assert line.endswith(" (+%d more)" % (12 - len(named)))
    assert len(line) <= ens_eni_batch.MAX_LINE_CHARS
    assert named[0] == "i-01 " + detail.replace("eni-x", "eni-01")[:117] + "..."


def test_line_without_phase_and_with_an_unknown_state():
    document = {"instances": {"i-a": {"state": "paused", "status": "Stopped"}, "i-b": {"state": "done"}}}
    assert line_for(document, elapsed=3.9) == "ens_eni_batch: 3 s, 1/2 done, 1 other: i-a paused: Stopped"


def test_line_shows_the_state_when_nothing_else_is_known():
    assert line_for(fleet([("i-a", "waiting", "", "")]), elapsed=0) == "ens_eni_batch: 0 s, detach: 0/1 done, 1 waiting: i-a waiting"


@pytest.mark.parametrize("document", [
    [], "text", 3, None,
    {"phase": "detach"},
    {"instances": []},
    {"instances": {"i-a": "waiting"}},
    {"instances": {"i-a": {"status": "Stopped"}}},
    {"instances": {"i-a": {"state": 3}}},
    {"instances": {"i-a": {"state": "waiting", "detail": ["x"]}}},
    {"phase": {"x": 1}, "instances": {"i-a": {"state": "waiting"}}},
])
def test_documents_without_the_progress_shape_are_refused(document):
    with pytest.raises(ValueError):
        _parse_progress(document)


# --- reading the file ------------------------------------------------------------------------------------


def test_a_valid_file_gives_a_line(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text(json.dumps(fleet([("i-a", "waiting", "Stopping", "")])))
    assert _progress_report(str(path), 12, 0) == ("ens_eni_batch: 12 s, detach: 0/1 done, 1 waiting: i-a Stopping", None)


@pytest.mark.parametrize("content", [
    b"", b"{", b'{"instances": {"i-a": {"state": "waiting"}', b"\xff\xfe\x00garbage", b"[1, 2]",
    b'{"instances": {"i-a": 7}}', b"[" * 100000 + b"]" * 100000,
])
def test_a_garbled_file_is_skipped_with_a_reason(tmp_path, content):
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    line, reason = _progress_report(str(path), 12, 0)
    assert line is None
    assert reason.startswith("progress report skipped, %s: " % path)


def test_a_missing_or_empty_report_prints_nothing(tmp_path):
    assert _progress_report(str(tmp_path / "absent.json"), 1, 0) == (None, None)
    path = tmp_path / "progress.json"
    path.write_text('{"phase": "plan", "instances": {}}')
    assert _progress_report(str(path), 1, 0) == (None, None)


def test_a_previous_runs_file_is_not_shown(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text(json.dumps(fleet([("i-a", "waiting", "Stopping", "")])))
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    assert _progress_report(str(path), 1, time.time() - 2) == (None, None)


def test_a_fifo_a_folder_or_a_huge_file_is_not_read(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert _progress_report(str(fifo), 1, 0) == (None, None)
    assert _progress_report(str(tmp_path), 1, 0) == (None, None)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(ens_eni_batch.MAX_PROGRESS_FILE_BYTES + 1)
    assert _progress_report(str(huge), 1, 0) == (None, None)


@pytest.mark.parametrize("value, expected", [
    (None, 15), (5, 5), ("7", 7), (0, None), (-3, None), ("soon", None), (True, None), ([1], None),
])
def test_progress_interval(value, expected):
    args = {} if value is None else {"progress_interval": value}
    assert _progress_interval(args) == expected


# --- the action around a fake module run -----------------------------------------------------------------


class RecordingDisplay:
    """Stands for ansible's Display: records each line, the thread it came from and the caller's context."""

    def __init__(self):
        self.lines = []
        self.verbose = []
        self.contexts = []
        self.threads = []
        self.changed = threading.Condition()

    def display(self, msg, **kwargs):
        with self.changed:
            self.lines.append(msg)
            self.contexts.append(CALLER_CONTEXT.get())
            self.threads.append(threading.current_thread().name)
            self.changed.notify_all()

    def vvv(self, msg, host=None):
        with self.changed:
            self.verbose.append(msg)
            self.changed.notify_all()

    def wait_for(self, predicate):
        with self.changed:
            assert self.changed.wait_for(predicate, HANG_GUARD_SECONDS), (self.lines, self.verbose)


@pytest.fixture
def recorder(monkeypatch):
    recording = RecordingDisplay()
    monkeypatch.setattr(ens_eni_batch, "display", recording)
    monkeypatch.setattr(ens_eni_batch, "FIRST_REPORT_POLL_SECONDS", 0.05)
    return recording


def make_action(args, transport="local", async_val=0, become=False, check_mode=False):
    task = mock.MagicMock()
    task.args = args
    task.async_val = async_val
    task.check_mode = check_mode
    task.action = "alibabacloud.ens.ens_eni_batch"
    connection = mock.MagicMock()
    connection.transport = transport
    connection.has_native_async = False
    connection._shell.tmpdir = None
    play_context = mock.MagicMock()
    play_context.become = become
    return ActionModule(task, connection, play_context, loader=None, templar=None, shared_loader_obj=None)


def progress_threads():
    return [thread for thread in threading.enumerate() if thread.name == "ens_eni_batch-progress" and thread.is_alive()]


def write_progress(path, states):
    temp = path + ".tmp"
    with open(temp, "w") as handle:
        json.dump(fleet(states), handle)
    os.replace(temp, path)


def test_progress_lines_while_the_module_runs_and_none_after(recorder):
    action = make_action({"changes": [{"instance_id": "i-a"}, {"instance_id": "i-b"}], "progress_interval": 1})
    seen = {}

    def fake_execute_module(module_args=None, task_vars=None, wrap_async=False):
        path = module_args["progress_file"]
        seen["args"], seen["folder_mode"] = module_args, stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)
        seen["threads_during_run"] = len(progress_threads())
        write_progress(path, [("i-a", "waiting", "Stopping", ""), ("i-b", "waiting", "Stopping", "")])
        recorder.wait_for(lambda: recorder.lines)
        with open(path, "w") as handle:
            handle.write('{"phase": "detach", "instances": {"i-a": ')  # a torn write: skipped, never fatal
        recorder.wait_for(lambda: recorder.verbose)
        write_progress(path, [("i-a", "done", "Running", ""), ("i-b", "waiting", "Stopped", "attach eni-y: Attaching")])
        recorder.wait_for(lambda: len(recorder.lines) >= 2)
        return {"changed": True, "summary": {"instances": 2}}

    CALLER_CONTEXT.set("the task's context")
    with mock.patch.object(action, "_execute_module", side_effect=fake_execute_module):
        result = action.run(task_vars={})

    assert result["changed"] is True and result["summary"] == {"instances": 2}
    assert seen["args"]["changes"] == [{"instance_id": "i-a"}, {"instance_id": "i-b"}]
    assert "progress_file" not in action._task.args  # the task's own args are left alone
    assert seen["folder_mode"] == 0o700
    assert seen["threads_during_run"] == 1
    assert not os.path.exists(os.path.dirname(seen["args"]["progress_file"]))
    assert progress_threads() == []
    assert recorder.lines[0].endswith("detach: 0/2 done, 2 waiting: i-a, i-b Stopping")
    assert recorder.lines[1].endswith("detach: 1/2 done, 1 waiting: i-b attach eni-y: Attaching")
    assert recorder.verbose[0].startswith("ens_eni_batch: progress report skipped, ")
    assert set(recorder.threads) == {"ens_eni_batch-progress"}
    assert set(recorder.contexts) == {"the task's context"}
    printed = len(recorder.lines)
    time.sleep(2.5)  # more than two intervals: a thread still running would have printed again
    assert len(recorder.lines) == printed


def test_the_module_failing_stops_the_thread_and_removes_the_folder(recorder):
    action = make_action({"changes": [], "progress_interval": 1})
    seen = {}

    def fake_execute_module(module_args=None, task_vars=None, wrap_async=False):
        seen["path"] = module_args["progress_file"]
        write_progress(seen["path"], [("i-a", "waiting", "Stopping", "")])
        recorder.wait_for(lambda: recorder.lines)
        raise RuntimeError("connection lost")

    with mock.patch.object(action, "_execute_module", side_effect=fake_execute_module):
        with pytest.raises(RuntimeError, match="connection lost"):
            action.run(task_vars={})
    assert not os.path.exists(os.path.dirname(seen["path"]))
    assert progress_threads() == []


def test_a_quick_module_prints_nothing(recorder):
    action = make_action({"changes": [], "progress_interval": 1})
    with mock.patch.object(action, "_execute_module", return_value={"changed": False}) as execute:
        assert action.run(task_vars={})["changed"] is False
    assert "progress_file" in execute.call_args.kwargs["module_args"]
    assert recorder.lines == [] and progress_threads() == []


def test_a_user_progress_file_is_kept_and_shown(recorder, tmp_path):
    path = str(tmp_path / "mine.json")
    action = make_action({"changes": [], "progress_file": path, "progress_interval": 1})

    def fake_execute_module(module_args=None, task_vars=None, wrap_async=False):
        assert module_args["progress_file"] == path
        write_progress(path, [("i-a", "waiting", "Starting", "")])
        recorder.wait_for(lambda: recorder.lines)
        return {"changed": True}

    with mock.patch.object(action, "_execute_module", side_effect=fake_execute_module):
        action.run(task_vars={})
    assert recorder.lines[0].endswith("detach: 0/1 done, 1 waiting: i-a Starting")
    assert os.path.exists(path)  # the user's file is the user's


@pytest.mark.parametrize("args, options", [
    ({"changes": []}, {"transport": "ssh"}),
    ({"changes": []}, {"async_val": 600}),
    ({"changes": []}, {"become": True}),
    ({"changes": [], "progress_interval": 0}, {}),
    ({"changes": [], "progress_interval": "soon"}, {}),
])
def test_runs_the_module_plainly(recorder, args, options):
    action = make_action(dict(args), **options)
    with mock.patch.object(action, "_execute_module", return_value={"changed": False}) as execute:
        action.run(task_vars={})
    assert execute.call_args.kwargs["module_args"] == args
    assert execute.call_args.kwargs["wrap_async"] == bool(options.get("async_val"))
    assert recorder.lines == [] and progress_threads() == []


def test_check_mode_gets_progress_too(recorder):
    action = make_action({"changes": [], "progress_interval": 1}, check_mode=True)
    with mock.patch.object(action, "_execute_module", return_value={"changed": True}) as execute:
        action.run(task_vars={})
    assert "progress_file" in execute.call_args.kwargs["module_args"]


def test_in_a_worker_process_lines_go_to_the_main_process_queue(monkeypatch, tmp_path):
    """In a WorkerProcess, ansible's Display has a queue to the main process: each line must be sent through it."""
    from ansible.utils.display import Display

    sent = []
    arrived = threading.Event()

    class FinalQueue:
        def send_display(self, method, *args, **kwargs):
            sent.append((method, args, kwargs, threading.current_thread().name))
            arrived.set()

    worker_display = Display()  # the process-wide singleton the plugin uses
    assert ens_eni_batch.display is worker_display
    monkeypatch.setattr(worker_display, "_final_q", FinalQueue())
    path = str(tmp_path / "progress.json")
    write_progress(path, [("i-a", "waiting", "Stopping", "")])
    reporter = ens_eni_batch.ProgressReporter(path, 1, 0)
    reporter.start()
    try:
        assert arrived.wait(HANG_GUARD_SECONDS)
    finally:
        reporter.stop()
    method, args, kwargs, thread = sent[0]
    assert method == "display" and thread == "ens_eni_batch-progress"
    assert args[0].endswith("detach: 0/1 done, 1 waiting: i-a Stopping")
    assert not reporter.is_alive()


def test_a_report_ready_when_the_module_returns_is_dropped(recorder, tmp_path):
    """The thread may have read the file just before stop(): once stop() returned, nothing is printed."""
    reporter = ens_eni_batch.ProgressReporter(str(tmp_path / "absent.json"), 1, 0)
    reporter.start()
    reporter.stop()
    reporter._print("ens_eni_batch: 9 s, start: 1/1 done", None)
    reporter._print(None, "progress report skipped")
    assert recorder.lines == [] and recorder.verbose == []
