# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the progress lines of the batch task in an ansible-playbook log.

Usage: python check_progress.py LOG INSTANCES MIN_LINES INTERVAL
Every line is inside the task (after its header, before its result), has the documented shape, the done count
never goes down, lines are at least INTERVAL s apart (by their own clock), and at least MIN_LINES were printed;
with MIN_LINES > 0, one of them names a waiting instance with its status.
"""

from __future__ import annotations

import re
import sys

HEADER = "TASK [Swap one ENI on every instance in one batch]"
SHAPE = re.compile(r"^ens_eni_batch: (?P<elapsed>\d+) s, (?P<phase>plan|stop|detach|attach|rollback|start|done): "
                   r"(?P<done>\d+)/(?P<total>\d+) done(?:, \d+ (?:unchanged|failed|refused|waiting))*"
                   r"(?:: (?P<named>.+?))?(?: \(\+\d+ more\))?$")


def main(log, instances, min_lines, interval):
    lines = open(log, encoding="utf-8").read().splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith(HEADER))
    result = next(index for index, line in enumerate(lines) if index > header and re.match(r"^(changed|ok|fatal): \[", line))
    progress = [(index, line) for index, line in enumerate(lines) if line.startswith("ens_eni_batch:")]
    assert len(progress) >= min_lines, "%d progress lines, expected at least %d" % (len(progress), min_lines)
    if min_lines == 0:
        assert not progress, progress
    previous_elapsed, previous_done = None, 0
    for index, line in progress:
        assert header < index < result, "outside the task: %r (task lines %d-%d)" % (line, header, result)
        match = SHAPE.match(line)
        assert match, "unexpected shape: %r" % line
        assert int(match["total"]) == instances, line
        assert int(match["done"]) >= previous_done, "done went down: %r" % line
        elapsed = int(match["elapsed"])
        if previous_elapsed is not None:
            # elapsed is truncated to whole seconds: two lines interval s apart differ by at least interval - 1
            assert elapsed - previous_elapsed >= interval - 1, "lines closer than %d s: %r" % (interval, line)
        previous_elapsed, previous_done = elapsed, int(match["done"])
    if min_lines:
        assert any(re.search(r"\d+ waiting: .*i-prog-\d+ \S", line) for dummy, line in progress), progress
    print("%d progress lines checked" % len(progress))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
