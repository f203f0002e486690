# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark helper: record when each task starts and ends on each host, as JSON lines.

Not part of the collection's plugins: benchmarks/run.py enables it with ANSIBLE_CALLBACK_PLUGINS and
ANSIBLE_CALLBACKS_ENABLED=bench_timing, and names the output file in BENCH_TIMING_FILE.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: Write per-host task start and end times to the file named in BENCH_TIMING_FILE
description:
  - Used by the benchmark (benchmarks/run.py) only.
requirements:
  - enable in configuration
"""

import json
import os
import threading
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """One JSON line per task and host: host, task, action, start, end, status."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("BENCH_TIMING_FILE")
        self._started = {}
        self._lock = threading.Lock()

    def _key(self, host, task):
        return (host.get_name(), task._uuid)  # pylint: disable=protected-access

    def v2_runner_on_start(self, host, task):
        self._started[self._key(host, task)] = time.time()

    def _end(self, result, status):
        host, task = result._host, result._task  # pylint: disable=protected-access
        start = self._started.pop(self._key(host, task), None)
        if not self._path or start is None:
            return
        entry = {
            "host": host.get_name(),
            "task": task.get_name(),
            "action": task.action,
            "start": start,
            "end": time.time(),
            "status": status,
        }
        with self._lock:
            with open(self._path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")

    def v2_runner_on_ok(self, result):
        self._end(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._end(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._end(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._end(result, "unreachable")
