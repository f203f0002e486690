"""Killing a play the way a crash or a cancelled job does: the whole process tree at once.

ansible's workers call setsid, so a process-group kill misses them and the module processes they run, which would
then finish the change on their own. ``python -m ens_simulator.processes kill-tree PID`` freezes the tree first.
"""

from __future__ import annotations

import os
import signal
import sys


def descendants(root):
    """The process ids of `root` and of every process below it (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def kill_tree(root):
    """Freeze the whole tree (ansible's workers setsid, so a process-group kill misses them and their modules), then kill it."""
    frozen = set()
    while True:
        tree = set(descendants(root)) - frozen
        if not tree:
            break
        for pid in tree:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        frozen |= tree
    for pid in frozen:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return "killed %d processes: %s" % (len(frozen), sorted(frozen))


def main(argv):
    if len(argv) != 2 or argv[0] != "kill-tree" or not argv[1].isdigit():
        raise SystemExit("usage: python -m ens_simulator.processes kill-tree PID")
    print(kill_tree(int(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])
