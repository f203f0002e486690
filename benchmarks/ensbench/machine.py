# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The machine the benchmark ran on, for the report's first table."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys

from .constants import ROOT


def machine(command):
    def version(package):
        try:
            from importlib.metadata import version as dist_version  # pylint: disable=import-outside-toplevel
            return dist_version(package)
        except Exception:  # pylint: disable=broad-except
            return "?"

    memory = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = "%.1f GiB" % (int(line.split()[1]) / 1024.0 / 1024.0)
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=False).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except OSError:
        commit = "?"
    ansible_python = os.path.join(ROOT, ".venv", "bin", "python")
    python = subprocess.run([ansible_python if os.path.exists(ansible_python) else sys.executable, "-c",
                             "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": "%s %s" % (platform.system(), platform.release()),
        "python": python,
        "ansible_core": version("ansible-core"),
        "sdk": "alibabacloud-ens20171110 %s, alibabacloud-tea-openapi %s"
               % (version("alibabacloud-ens20171110"), version("alibabacloud-tea-openapi")),
        "tenacity": version("tenacity"),
        "commit": commit,
        "load_before": "%.2f %.2f %.2f" % os.getloadavg(),
    }
