# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The benchmark behind `make bench`: API calls, wait overshoot, downtime, fleet wall time, start-up.

Runs against the local ENS API simulator named by ENS_SIM_URL (`hacking/with_simulator.sh` starts it),
with transition times close to the real cloud, and writes docs/benchmarks.md. Every figure compared with
another is measured in the same run. Nothing here asserts on a time: targets are reported, never raised.

    hacking/with_simulator.sh --state-dir .build/bench -- .venv/bin/python benchmarks/run.py [--quick]

The work is done by the package benchmarks/ensbench: statistics, the simulator and runner plumbing, one module per
measured section, and the report rendered from the results data (results.json).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position,unused-import
from ensbench.cli import main, write_fleet_report  # noqa: E402,F401
# The fleet section's helpers, for tests/unit/benchmarks (which load this file).
from ensbench.fleet import (  # noqa: E402,F401
    FLEET_FLOOR, FLEET_TRANSITIONS, busiest_second, fleet_figures, fleet_instance, fleet_state_errors, per_host_projection,
    swap_enis, throttled_answers)
from ensbench.fleet_report import fleet_bullet, fleet_targets, render_fleet, render_fleet_alone, splice_fleet  # noqa: E402,F401
from ensbench.runner import cpu_seconds, wait_tree  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(main())
