# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the alibabacloud.ens.ens_eni_batch module and, while it waits, prints a progress line every
progress_interval seconds read from the JSON progress file the module rewrites."""

from __future__ import annotations

import contextvars
import json
import os
import shutil
import stat
import tempfile
import threading
import time

from ansible.module_utils.common.validation import check_type_int
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

display = Display()

DEFAULT_PROGRESS_INTERVAL = 15
# How often the file is looked at until the first line is printed (the module writes it once the plan is known).
FIRST_REPORT_POLL_SECONDS = 0.5
# Instances named in one line; the others are counted.
MAX_NAMED_INSTANCES = 10
MAX_ID_CHARS = 40
MAX_DETAIL_CHARS = 120
# A line names fewer instances rather than grow past this (only the first one named may make it longer).
MAX_LINE_CHARS = 500
MAX_PHASE_CHARS = 20
# A progress file of 1,000s of instances is well under this; anything bigger is not ours.
MAX_PROGRESS_FILE_BYTES = 8 * 1024 * 1024
# Files modified this long before the task started are a previous run's (filesystem timestamps may be coarse).
STALE_SLACK_SECONDS = 2.0
# After the module returns, how long to wait for the reporting thread (it can no longer print by then).
THREAD_JOIN_SECONDS = 5.0

# The states of the progress file, in the order they are counted (any other is counted as "other");
# finished-and-fine states are never named.
STATE_ORDER = ('done', 'unchanged', 'failed', 'refused', 'waiting')
NAMED_STATE_ORDER = ('failed', 'refused', 'waiting')
QUIET_STATES = frozenset(('done', 'unchanged'))


def _clean_text(value, limit):
    """One line of printable text at most ``limit`` characters: no control or escape characters, no newline."""
    text = ' '.join(''.join(char if char.isprintable() else ' ' for char in str(value)).split())
    if len(text) > limit:
        text = text[:max(limit - 3, 1)] + '...'
    return text


def _parse_progress(data):
    """Check a decoded progress file; return ``(phase, {instance_id: (state, status, detail)})``.

    Raises ValueError when the document does not have the progress file's shape (the report is skipped).
    """
    if not isinstance(data, dict):
        raise ValueError('the progress file is not a JSON object')
    phase = data.get('phase', '')
    if phase is None:
        phase = ''
    if not isinstance(phase, str):
        raise ValueError('phase is not a string')
    instances = data.get('instances')
    if not isinstance(instances, dict):
        raise ValueError('instances is not an object')
    parsed = {}
    for instance_id, entry in instances.items():
        if not isinstance(entry, dict):
            raise ValueError('the entry of %s is not an object' % _clean_text(instance_id, MAX_ID_CHARS))
        fields = []
        for key in ('state', 'status', 'detail'):
            value = entry.get(key, '')
            if value is None:
                value = ''
            if not isinstance(value, str):
                raise ValueError('%s of %s is not a string' % (key, _clean_text(instance_id, MAX_ID_CHARS)))
            fields.append(value)
        if not fields[0]:
            raise ValueError('%s has no state' % _clean_text(instance_id, MAX_ID_CHARS))
        parsed[instance_id] = tuple(fields)
    return phase, parsed


def _format_progress_line(phase, instances, elapsed_seconds, max_named=MAX_NAMED_INSTANCES, max_chars=MAX_LINE_CHARS):
    """The progress line for ``_parse_progress``'s result, e.g.
    ``ens_eni_batch: 45 s, detach: 63/100 done, 1 failed, 36 waiting: i-a Stopping; i-b detach eni-x: Detaching (+35 more)``.

    Instances that are done or unchanged are only counted. Failed, refused and waiting ones (in that order, then by
    id) are named with their detail, else their status, instances of the same text together
    (``i-a, i-b start: Starting``), up to ``max_named`` of them and as many as fit in ``max_chars``; the rest are counted.
    """
    counts = {}
    for state, dummy_status, dummy_detail in instances.values():
        known = state if state in STATE_ORDER else 'other'
        counts[known] = counts.get(known, 0) + 1
    tallies = ['%d/%d done' % (counts.get('done', 0), len(instances))]
    tallies.extend('%d %s' % (counts[state], state) for state in STATE_ORDER[1:] + ('other',) if counts.get(state))
    phase_text = _clean_text(phase, MAX_PHASE_CHARS)
    head = 'ens_eni_batch: %d s, %s%s' % (max(int(elapsed_seconds), 0), phase_text + ': ' if phase_text else '', ', '.join(tallies))

    def rank(instance_id):
        state = instances[instance_id][0]
        order = NAMED_STATE_ORDER.index(state) if state in NAMED_STATE_ORDER else len(NAMED_STATE_ORDER)
        return order, instance_id

    def text_of(instance_id):
        state, status, detail = instances[instance_id]
        text = _clean_text(detail or status or state, MAX_DETAIL_CHARS)
        if state != 'waiting' and (detail or status) and not text.startswith(state):
            text = '%s: %s' % (_clean_text(state, MAX_PHASE_CHARS), text)
        return text

    def render(named_ids, left):
        groups = {}  # text -> ids, in the order of their first instance
        for instance_id in named_ids:
            groups.setdefault(text_of(instance_id), []).append(_clean_text(instance_id, MAX_ID_CHARS))
        line = head
        if groups:
            line += ': ' + '; '.join('%s %s' % (', '.join(ids), text) for text, ids in groups.items())
        if left:
            line += ' (+%d more)' % left
        return line

    open_ids = sorted((iid for iid, fields in instances.items() if fields[0] not in QUIET_STATES), key=rank)
    shown = 1 if open_ids else 0
    while shown < min(len(open_ids), max_named) and len(render(open_ids[:shown + 1], len(open_ids) - shown - 1)) <= max_chars:
        shown += 1
    return render(open_ids[:shown], len(open_ids) - shown)


def _read_progress_file(path, not_before):
    """The decoded progress file, or None when it is missing, not a regular file, too big, or older than
    ``not_before`` (epoch seconds: a previous run's). Raises ValueError when its content is not JSON."""
    try:
        # O_NONBLOCK: a FIFO at a user-given path must not hang the reporting thread.
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PROGRESS_FILE_BYTES or info.st_mtime < not_before:
        os.close(fd)
        return None
    with os.fdopen(fd, 'rb') as progress_file:
        content = progress_file.read(MAX_PROGRESS_FILE_BYTES + 1)
    if len(content) > MAX_PROGRESS_FILE_BYTES:
        return None
    return json.loads(content)


def _progress_report(path, elapsed_seconds, not_before):
    """``(line, skip_reason)`` for the file at ``path``: line None when there is nothing to print (missing,
    stale, garbled or empty file; skip_reason says why when the file is there but unusable). Never raises."""
    try:
        data = _read_progress_file(path, not_before)
        if data is None:
            return None, None
        phase, instances = _parse_progress(data)
        if not instances:
            return None, None
        return _format_progress_line(phase, instances, elapsed_seconds), None
    except Exception as exc:  # pylint: disable=broad-except
        # Whatever the file holds, the module's task must not be disturbed: this report is skipped.
        return None, 'progress report skipped, %s: %s' % (path, _clean_text(exc, 200) or type(exc).__name__)


def _progress_interval(args):
    """The task's progress_interval as seconds (default 15), or None when it is 0 or not an integer
    (then the module reports the bad value itself)."""
    value = args.get('progress_interval')
    if value is None:
        return DEFAULT_PROGRESS_INTERVAL
    if isinstance(value, bool):
        return None
    try:
        interval = check_type_int(value)
    except TypeError:
        return None
    return interval if interval > 0 else None


class ProgressReporter:
    """A daemon thread printing a progress line from ``path`` as soon as the file is usable, then every
    ``interval`` seconds, until ``stop()``; no line is printed once ``stop()`` has returned."""

    def __init__(self, path, interval, not_before, clock=time.monotonic):
        self.path = path
        self.interval = interval
        self.not_before = not_before
        self.lines = 0
        self._clock = clock
        self._started = clock()
        self._stopped = threading.Event()
        self._print_lock = threading.Lock()
        # ansible-core 2.19 keeps its task and templating context in contextvars: the thread runs in a copy.
        self._thread = threading.Thread(target=contextvars.copy_context().run, args=(self._loop,),
                                        name='ens_eni_batch-progress', daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        with self._print_lock:
            self._stopped.set()
        self._thread.join(THREAD_JOIN_SECONDS)

    def is_alive(self):
        return self._thread.is_alive()

    def _loop(self):
        next_due = None
        last_reason = None
        while not self._stopped.wait(FIRST_REPORT_POLL_SECONDS if next_due is None else max(next_due - self._clock(), 0)):
            now = self._clock()
            if next_due is not None and now < next_due:
                continue
            line, reason = _progress_report(self.path, now - self._started, self.not_before)
            if line is not None or next_due is not None:
                next_due = now + self.interval
            if line is None:
                if reason is not None and reason != last_reason:
                    self._print(None, reason)
                last_reason = reason
                continue
            last_reason = None
            self._print(line, None)

    def _print(self, line, reason):
        with self._print_lock:
            if self._stopped.is_set():
                return
            try:
                if line is not None:
                    display.display(line)
                    self.lines += 1
                else:
                    display.vvv('ens_eni_batch: %s' % reason)
            except Exception:  # pylint: disable=broad-except
                pass  # the display is the task's own; a failing report is only a skipped report


class ActionModule(ActionBase):
    """alibabacloud.ens.ens_eni_batch with live progress when the module runs on the controller."""

    _supports_check_mode = True
    _supports_async = True

    def _progress_file_plan(self):
        """``(module_args, progress_path, make_temp_dir, interval)``; progress_path None means run plainly."""
        args = self._task.args
        interval = _progress_interval(args)
        plain = (args, None, False, None)
        # The controller reads the file, so it must be on the controller: the module runs there only when local.
        if self._task.async_val or interval is None or getattr(self._connection, 'transport', None) != 'local':
            return plain
        given = args.get('progress_file')
        if given:
            return args, os.path.expanduser(os.path.expandvars(str(given))), False, interval
        if getattr(self._play_context, 'become', False):
            # The module would run as another user, who cannot write into this user's private folder.
            return plain
        return args, None, True, interval

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect

        wrap_async = self._task.async_val and not self._connection.has_native_async
        module_args, progress_path, make_temp_dir, interval = self._progress_file_plan()
        temp_dir = None
        reporter = None
        try:
            if make_temp_dir:
                temp_dir = tempfile.mkdtemp(prefix='ens_eni_batch-progress-')  # mode 0700
                progress_path = os.path.join(temp_dir, 'progress.json')
                module_args = dict(module_args, progress_file=progress_path)
            if progress_path:
                reporter = ProgressReporter(progress_path, interval, time.time() - STALE_SLACK_SECONDS)
                reporter.start()
            try:
                module_result = self._execute_module(module_args=module_args, task_vars=task_vars, wrap_async=wrap_async)
            finally:
                if reporter is not None:
                    reporter.stop()
        finally:
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)
        result = merge_hash(result, module_result)

        if not wrap_async:
            # remove a temporary path we created
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
