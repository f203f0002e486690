# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Running ansible and ansible-playbook against the simulator, with wall time, CPU and peak RSS."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time

from .constants import ACCESS_KEY_ID, ACCESS_KEY_SECRET, BENCH_DIR, ROOT


class Runner:
    """Runs ansible / ansible-playbook against the simulator, with the timing callback on."""

    def __init__(self, sim, work):
        self.sim = sim
        self.work = work
        self.python = os.path.join(ROOT, ".venv", "bin", "python")
        if not os.path.exists(self.python):
            self.python = sys.executable
        self.bin = os.path.dirname(self.python)
        collections = os.path.join(work, "collections")
        link = os.path.join(collections, "ansible_collections", "alibabacloud", "ens")
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.islink(link) or os.path.exists(link):
            os.remove(link)
        os.symlink(ROOT, link)
        self.collections = collections
        self.timing_file = os.path.join(work, "timing.jsonl")
        self.log = os.path.join(work, "ansible.log")
        self.counter = 0
        self.home = os.path.join(work, "home")
        shutil.rmtree(self.home, ignore_errors=True)
        os.makedirs(self.home)

    def env(self, extra=None):
        env = dict(os.environ)
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy", "ANSIBLE_CONFIG"):
            env.pop(name, None)
        env.update({
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
            "ANSIBLE_COLLECTIONS_PATH": self.collections,
            # A home of its own: the role's journal (~/.ansible/...) and caches stay in the work folder.
            "HOME": self.home,
            "ANSIBLE_HOME": os.path.join(self.work, "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.work, "local-tmp"),
            "ANSIBLE_REMOTE_TMP": os.path.join(self.work, "remote-tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(BENCH_DIR, "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_timing",
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "BENCH_TIMING_FILE": self.timing_file,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
            "ALIBABA_CLOUD_ENS_ENDPOINT": self.sim.url,
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "PATH": self.bin + os.pathsep + env.get("PATH", ""),
        })
        env.update(extra or {})
        return env

    def execute(self, argv, extra_env=None, check=True):
        """Run `argv`; returns wall time, peak RSS of the process tree (KiB), output, timing entries."""
        self.counter += 1
        if os.path.exists(self.timing_file):
            os.remove(self.timing_file)
        out_path = os.path.join(self.work, "run-%03d.log" % self.counter)
        time_path = os.path.join(self.work, "run.time")
        with open(out_path, "w", encoding="utf-8") as out:
            started = time.time()
            t0 = time.monotonic()
            process = subprocess.Popen(timed(argv, time_path), cwd=self.work, env=self.env(extra_env), stdout=out,  # pylint: disable=consider-using-with
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            status, usage, cpu_children = wait_tree(process.pid)
            wall = time.monotonic() - t0
            ended = time.time()
        process.returncode = os.waitstatus_to_exitcode(status)
        with open(out_path, encoding="utf-8") as handle:
            output = handle.read()
        with open(self.log, "a", encoding="utf-8") as log:
            log.write("### %s\n%s\n" % (" ".join(argv), output))
        timing = []
        if os.path.exists(self.timing_file):
            with open(self.timing_file, encoding="utf-8") as handle:
                timing = [json.loads(line) for line in handle if line.strip()]
        if check and process.returncode != 0:
            raise RuntimeError("command failed (%d): %s\n%s" % (process.returncode, " ".join(argv), output[-3000:]))
        return {"rc": process.returncode, "wall": wall, "start": started, "end": ended, "cpu": cpu_seconds(usage),
                "cpu_children": cpu_children, "maxrss_kb": read_timed(time_path, usage), "output": output, "timing": timing}

    def module(self, name, args, check=True):
        argv = [os.path.join(self.bin, "ansible"), "localhost", "-m", name, "-e", "ansible_python_interpreter=%s" % self.python]
        if args:
            argv += ["-a", json.dumps(args)]
        return self.execute(argv, check=check)

    def playbook(self, playbook, extra_vars=None, inventory=None, forks=None, limit=None, check=True):
        argv = [os.path.join(self.bin, "ansible-playbook"), playbook, "-e", "ansible_python_interpreter=%s" % self.python]
        if extra_vars:
            argv += ["-e", json.dumps(extra_vars)]
        if inventory:
            argv += ["-i", inventory]
        if forks:
            argv += ["--forks", str(forks)]
        if limit:
            argv += ["--limit", limit]
        return self.execute(argv, check=check)


def cpu_seconds(usage):
    """User + system CPU seconds of a rusage."""
    return usage.ru_utime + usage.ru_stime


def wait_tree(pid):
    """Wait for child `pid`: (exit status, its rusage, the CPU seconds RUSAGE_CHILDREN grew by meanwhile).

    Linux adds a process's CPU to its parent's children counters once the parent has waited for it, so the rusage of
    a command counts every descendant each level waited for (ansible waits for its workers and module processes); a
    process left running in the background would be missed. Both figures come from the same accounting: they agree
    when this process reaps no other child meanwhile.
    """
    before = cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN))
    _pid, status, usage = os.wait4(pid, 0)
    return status, usage, cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN)) - before


TIME_BIN = "/usr/bin/time"


def timed(argv, path):
    """`argv` under /usr/bin/time, which writes "<wall> <peak RSS KiB>" to `path`.

    A small launcher matters: on Linux a child's peak RSS starts from its parent's at fork time, and this
    driver holds the SDK, so measuring children of this process directly would report the driver's size.
    """
    if not os.path.exists(TIME_BIN):
        return argv
    return [TIME_BIN, "-f", "%e %M", "-o", path] + list(argv)


def read_timed(path, usage):
    try:
        with open(path, encoding="utf-8") as handle:
            return int(handle.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return usage.ru_maxrss


def run_measured(argv, env, work):
    """Run `argv` alone; wall time and peak RSS (KiB) of its process, its stderr."""
    err_path = os.path.join(work, "measured.err")
    time_path = os.path.join(work, "measured.time")
    with open(err_path, "w", encoding="utf-8") as err:
        t0 = time.monotonic()
        started = time.time()
        process = subprocess.Popen(timed(argv, time_path), env=env, stdout=subprocess.DEVNULL, stderr=err)  # pylint: disable=consider-using-with
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - t0
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(err_path, encoding="utf-8", errors="replace") as handle:
        stderr = handle.read()
    if process.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(argv), stderr[-2000:]))
    return {"wall": wall, "maxrss_kb": read_timed(time_path, usage), "started": started, "stderr": stderr}


def import_collection(runner):
    sys.path.insert(0, runner.collections)
    sys.path.insert(0, BENCH_DIR)
    # pylint: disable=import-outside-toplevel,import-error
    from ansible_collections.alibabacloud.ens.plugins.module_utils import _client, _eni, _planning, _waiter
    import baseline_poller
    return _client, _eni, _planning, _waiter, baseline_poller
