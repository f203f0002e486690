# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Instance power: what to do from each status (pure), and the loop that does it for many instances."""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError

RUNNING = "running"
STOPPED = "stopped"
RESTARTED = "restarted"
TARGET_STATUS = {RUNNING: "Running", STOPPED: "Stopped", RESTARTED: "Running"}
KNOWN_INSTANCE_STATUSES = frozenset(("Running", "Stopping", "Stopped", "Starting"))
TRANSITIONAL_STATUS_AFTER = {"stop": "Stopping", "start": "Starting", "reboot": "Stopping"}

DONE = "done"
WAIT = "wait"
STOP = "stop"
START = "start"
REBOOT = "reboot"


def decide(state, status, called, needs_reboot):
    """What to do for an instance asked to be `state`, now `status`.

    `called`: a mutating call was already made for it in this run; `needs_reboot`: it was Running when the
    run began and `state` is restarted. Transitional and unknown statuses are progress: wait.
    """
    if status not in ("Running", "Stopped"):
        return WAIT
    if state == STOPPED:
        if status == "Stopped":
            return DONE
        return WAIT if called else STOP
    if status == "Stopped":
        return WAIT if called else START
    if state == RESTARTED and needs_reboot and not called:
        return REBOOT
    return DONE


def will_change(state, status):
    """Whether a real run would make a call for an instance found in `status` (check mode's answer)."""
    if status not in KNOWN_INSTANCE_STATUSES:
        return True
    if state == STOPPED:
        return status in ("Running", "Starting")
    if state == RESTARTED:
        return status in ("Running", "Stopped", "Stopping")
    return status in ("Stopped", "Stopping")


class PowerExecution:
    """Brings many instances to one power state: calls back to back, then one poll per round for all."""

    def __init__(self, api, record, waiter, state, force_stop, wait, instances):
        self.api = api
        self.record = record
        self.waiter = waiter
        self.state = state
        self.force_stop = force_stop
        self.wait = wait
        self.current = dict((item["InstanceId"], item) for item in instances)
        self.needs_reboot = dict((instance_id, state == RESTARTED and item.get("Status") == "Running")
                                 for instance_id, item in self.current.items())
        self.called = set()

    def _act(self, instance_id):
        """Make the call the instance needs now, if any; True when it needs nothing more from this run."""
        status = self.current[instance_id].get("Status")
        action = decide(self.state, status, instance_id in self.called, self.needs_reboot[instance_id])
        if action == DONE:
            return True
        if action == WAIT:
            return False
        if action == STOP:
            request_id = self.api.stop_instance(instance_id, self.force_stop)
        elif action == START:
            request_id = self.api.start_instance(instance_id)
        else:
            request_id = self.api.reboot_instance(instance_id, self.force_stop)
        self.record(request_id)
        self.called.add(instance_id)
        self.current[instance_id] = dict(self.current[instance_id], Status=TRANSITIONAL_STATUS_AFTER[action])
        return False

    def _settled(self, instance_id):
        done = self._act(instance_id)
        # Without wait, an instance is settled once its call is made and nothing else must come first.
        return done or (not self.wait and instance_id in self.called)

    def _poll(self, pending):
        found = dict((item["InstanceId"], item) for item in self.api.describe_instances(sorted(pending)))
        missing = sorted(pending - set(found))
        if missing:
            raise EnsError("Instance(s) %s disappeared while waiting for them to be %s"
                           % (", ".join(missing), TARGET_STATUS[self.state]))
        self.current.update(found)
        pending.difference_update([instance_id for instance_id in sorted(pending) if self._settled(instance_id)])
        return not pending

    def run(self, order):
        pending = set(instance_id for instance_id in order if not self._settled(instance_id))
        if pending:
            with self.api.polling():
                self.waiter.wait(
                    lambda: self._poll(pending),
                    lambda: ", ".join("%s is %s" % (i, self.current[i].get("Status")) for i in sorted(pending)),
                    "instances to be %s" % TARGET_STATUS[self.state])
        return [self.current[instance_id] for instance_id in order]
