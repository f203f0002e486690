# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Instance power: what to do from each status (pure), and the loop that does it for many instances."""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._client import STATE_CONFLICT_CODES
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError, EnsError
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import READ_LAG_GRACE_SECONDS, AcceptedCall

RUNNING = "running"
STOPPED = "stopped"
RESTARTED = "restarted"
TARGET_STATUS = {RUNNING: "Running", STOPPED: "Stopped", RESTARTED: "Running"}
# Statuses an instance never leaves by itself for a usable one: waiting for them is pointless, so fail fast.
FAIL_FAST_STATUSES = {
    "Expired": "a prepaid instance past its term, which only a renewal clears",
    "Releasing": "the instance is being released and will then disappear",
}
TRANSITIONAL_STATUSES = frozenset(("Stopping", "Starting", "Creating"))
KNOWN_INSTANCE_STATUSES = frozenset(("Running", "Stopped")) | TRANSITIONAL_STATUSES | frozenset(FAIL_FAST_STATUSES)

DONE = "done"
WAIT = "wait"
STOP = "stop"
START = "start"
REBOOT = "reboot"

MAX_IDS_PER_BATCH_CALL = 100
BATCH_API_ACTION = {STOP: "StopInstances", START: "StartInstances"}
API_ACTION = {STOP: "StopInstance", START: "StartInstance", REBOOT: "RebootInstance"}
SOURCE_STATUS = {STOP: "Running", START: "Stopped", REBOOT: "Running"}      # where the API accepts the call
PROGRESS_STATUSES = {STOP: ("Stopping",), START: ("Starting",), REBOOT: ("Stopping", "Stopped", "Starting")}
RESULT_STATUS = {STOP: "Stopped", START: "Running", REBOOT: "Running"}
# What a run without wait reports just after an accepted call (RebootInstance is documented Running -> Starting).
REPORTED_AFTER = {STOP: "Stopping", START: "Starting", REBOOT: "Starting"}


class EnsInstanceStateError(EnsError):
    """An instance is, or went, where the requested power state cannot be reached."""


def stuck_rule(status, subject="the instance"):
    """The rule broken by an instance in a status it never leaves by itself for a usable one, or None."""
    reason = FAIL_FAST_STATUSES.get(status)
    if reason is None:
        return None
    return "%s is %s (%s) and never leaves it by itself, so it is not waited for" % (subject, status, reason)


def lost_answer(error):
    """A mutating call whose answer was lost, and which the API wrapper could not see land in its read-backs: reads
    lagging the call would look the same, so it is followed like an accepted call, never sent again blindly."""
    return error.transient and error.maybe_applied


def put_off(error):
    """Why a failed mutating call may be made again later: "refused" (for the resource's state), "throttled"
    (or another transient error that certainly did not apply), or None: the error is final."""
    if error.code in STATE_CONFLICT_CODES:
        return "refused"
    if error.transient and not error.maybe_applied:
        return "throttled"
    return None


def decide(state, status, needs_reboot):
    """What to do for an instance asked to be `state`, now `status`, before any call was accepted for it.

    `needs_reboot`: it was Running when the run began and `state` is restarted. Transitional and unknown
    statuses are progress: wait.
    """
    if status not in ("Running", "Stopped"):
        return WAIT
    if state == STOPPED:
        return DONE if status == "Stopped" else STOP
    if status == "Stopped":
        return START
    if state == RESTARTED and needs_reboot:
        return REBOOT
    return DONE


def will_change(state, status):
    """Whether a real run would make a call for an instance found in `status` (check mode's answer)."""
    if status not in KNOWN_INSTANCE_STATUSES:
        return True
    if state == STOPPED:
        return status in ("Running", "Starting", "Creating")
    if state == RESTARTED:
        return status in ("Running", "Stopped", "Stopping")
    return status in ("Stopped", "Stopping")


class PowerExecution:
    """Brings many instances to one power state: calls back to back, then one poll per round for all.

    After an accepted call, a read still showing the status the instance had before it is "not yet" for
    READ_LAG_GRACE_SECONDS (reads may lag the call); a reboot counts as done only once a read has shown the
    instance Stopping, Stopped or Starting. A call refused for the instance's state is retried once the
    change under way settles; a throttled call is retried at the next poll.
    """

    def __init__(self, api, record, waiter, state, force_stop, wait, instances, warn=None, batch=False, isolate=False):
        self.api = api
        # batch: stops and starts due in one round go out as StopInstances / StartInstances (at most 100 ids each).
        self.batch = batch
        # isolate: an instance that fails is set aside in `failed` and the others go on (a fleet window).
        self.isolate = isolate
        self.queued = {}     # action -> [(instance id, status)] waiting for this round's batch call
        self.failed = {}     # instance id -> EnsError
        self.record = record
        self.waiter = waiter
        self.clock = waiter.clock
        self.state = state
        self.force_stop = force_stop
        self.wait = wait
        self.warn = warn or (lambda message: None)
        self.current = dict((item["InstanceId"], item) for item in instances)
        self.needs_reboot = dict((instance_id, state == RESTARTED and item.get("Status") == "Running")
                                 for instance_id, item in self.current.items())
        self.accepted = {}   # instance id -> (action, AcceptedCall)
        self.refused = {}    # instance id -> (EnsApiError, status it was refused in, when): judged by the reads after it
        self.throttled = {}  # instance id -> EnsApiError: the call is made again at the next poll
        self.warned = set()

    def _warn_unknown(self, instance_id, status):
        if (instance_id, status) not in self.warned:
            self.warned.add((instance_id, status))
            self.warn("%s is %s, a status this module does not know: waiting for it to settle" % (instance_id, status))

    def _call(self, instance_id, action, status):
        if self.batch and (action == START or (action == STOP and not self.force_stop)):
            self.queued.setdefault(action, []).append((instance_id, status))
            return
        try:
            if action == STOP:
                request_id = self.api.stop_instance(instance_id, self.force_stop)
            elif action == START:
                request_id = self.api.start_instance(instance_id)
            else:
                request_id = self.api.reboot_instance(instance_id, self.force_stop)
        except EnsApiError as error:
            self._call_failed(instance_id, action, status, error)
            return
        self._accept(instance_id, action, request_id)

    def _call_failed(self, instance_id, action, status, error):
        """A call that got an error: followed (lost answer), put off (refused, throttled), or the error is final."""
        if lost_answer(error):
            self._accept(instance_id, action, error.request_id, unsure=error)
            return
        reason = put_off(error)
        if reason is None:
            raise error
        if reason == "refused":
            self.refused[instance_id] = (error, status, self.clock())
        else:
            self.throttled[instance_id] = error

    def _flush(self, pending):
        """Make this round's queued stops and starts as batch calls, at most 100 instances per call."""
        queued, self.queued = self.queued, {}
        for action, entries in sorted(queued.items()):
            for start in range(0, len(entries), MAX_IDS_PER_BATCH_CALL):
                chunk = entries[start:start + MAX_IDS_PER_BATCH_CALL]
                ids = [instance_id for instance_id, _status in chunk]
                try:
                    request_id, answers = (self.api.stop_instances if action == STOP else self.api.start_instances)(ids)
                except EnsApiError as error:
                    request_id, answers = None, dict((instance_id, error) for instance_id in ids)
                for instance_id, status in chunk:
                    error = answers.get(instance_id)
                    if error is None:
                        self._accept(instance_id, action, request_id)
                        self.accepted[instance_id][1].action = BATCH_API_ACTION[action]
                        continue
                    self._isolated(pending, instance_id, lambda: self._call_failed(instance_id, action, status, error))

    def _isolated(self, pending, instance_id, step):
        """Run one instance's step; with isolate, its error sets it aside (failed) instead of ending the run."""
        try:
            return step()
        except EnsError as error:
            if not self.isolate:
                raise
            self.failed[instance_id] = error
            pending.discard(instance_id)
            return None

    def _accept(self, instance_id, action, request_id, unsure=None):
        """Follow a call the API accepted, or one whose answer was lost: reads decide, within the grace period."""
        self.throttled.pop(instance_id, None)
        self.record(request_id)
        self.accepted[instance_id] = (action, AcceptedCall(API_ACTION[action], request_id, self.clock(), SOURCE_STATUS[action],
                                                           unsure=unsure))
        self.current[instance_id] = dict(self.current[instance_id], Status=REPORTED_AFTER[action])

    def _follow(self, instance_id, action, call, status):
        """True when the accepted call's change is complete; raises when the instance went elsewhere."""
        if status in PROGRESS_STATUSES[action]:
            call.progressed = True
            return False
        if status == RESULT_STATUS[action] and (action != REBOOT or call.progressed):
            return True
        now = self.clock()
        if status == call.source_status and not call.progressed:
            if call.lagging(now):
                return False
            if action == REBOOT:
                self.warn("%s: %s, but in %d s no read showed the instance Stopping or Starting; a reboot faster "
                          "than the polls, or hidden by read lag, looks the same as none: taken as done"
                          % (instance_id, call.describe(now), READ_LAG_GRACE_SECONDS))
                return True
            raise EnsInstanceStateError(
                "%s is still %s: %s, but the change never showed: the %s did not take effect"
                % (instance_id, status, call.describe(now), action),
                error_code=call.unsure.code if call.unsure else None, request_id=call.request_id)
        if status not in KNOWN_INSTANCE_STATUSES:
            self._warn_unknown(instance_id, status)
            return False
        went = "went back to %s" % status if status == call.source_status else "is %s" % status
        raise EnsInstanceStateError(
            "%s %s, it was to become %s: %s, but the %s did not complete"
            % (instance_id, went, RESULT_STATUS[action], call.describe(now), action), request_id=call.request_id)

    def _act(self, instance_id):
        """Make the call the instance needs now, if any; True when it needs nothing more from this run."""
        status = self.current[instance_id].get("Status")
        rule = stuck_rule(status)
        if rule:
            raise EnsInstanceStateError("Cannot bring %s to %s: %s (IncorrectInstanceStatus)"
                                        % (instance_id, TARGET_STATUS[self.state], rule), error_code="IncorrectInstanceStatus")
        if instance_id in self.accepted:
            action, call = self.accepted[instance_id]
            return self._follow(instance_id, action, call, status)
        refusal = self.refused.get(instance_id)
        if refusal is not None and refusal[1] == status:
            # Reads lagging a change someone else just made would explain the refusal: give them the grace period.
            if self.clock() - refusal[2] < READ_LAG_GRACE_SECONDS:
                return False
            error = refusal[0]
            error.message += "; %d s of reads after the refusal still show %s %s, so no other change was under way" % (
                READ_LAG_GRACE_SECONDS, instance_id, status)
            error.args = (error.message,)
            raise error
        self.refused.pop(instance_id, None)
        if status not in KNOWN_INSTANCE_STATUSES:
            self._warn_unknown(instance_id, status)
        action = decide(self.state, status, self.needs_reboot[instance_id])
        if action == DONE:
            return True
        if action != WAIT:
            self._call(instance_id, action, status)
        return False

    def _settled(self, instance_id):
        done = self._act(instance_id)
        # Without wait, an instance is settled once its call is accepted and nothing else must come first.
        return done or (not self.wait and instance_id in self.accepted)

    def poll(self, pending):
        """One poll round: read every pending instance in one call (per 100), judge each, make the calls due."""
        found = dict((item["InstanceId"], item) for item in self.api.describe_instances(sorted(pending)))
        missing = sorted(pending - set(found))
        if missing and not self.isolate:
            raise EnsError("Instance(s) %s disappeared while waiting for them to be %s"
                           % (", ".join(missing), TARGET_STATUS[self.state]))
        for instance_id in missing:
            self.failed[instance_id] = EnsError("Instance %s disappeared while waiting for it to be %s"
                                                % (instance_id, TARGET_STATUS[self.state]))
            pending.discard(instance_id)
        self.current.update(found)
        self.judge_round(pending)
        return not pending

    def judge_round(self, pending):
        """Judge every pending instance from the last reads, then make the calls this round needs."""
        settled = [instance_id for instance_id in sorted(pending) if self._isolated(pending, instance_id, lambda i=instance_id: self._settled(i))]
        pending.difference_update(settled)
        self._flush(pending)

    def describe(self, instance_id):
        """One pending instance for a timeout message: its last status and what it waits for."""
        status = self.current[instance_id].get("Status")
        notes = []
        if status not in KNOWN_INSTANCE_STATUSES:
            notes.append("a status this module does not know")
        if instance_id in self.accepted:
            action, call = self.accepted[instance_id]
            notes.append(call.describe(self.clock()) + ("" if call.progressed else "; no read has shown the change yet"))
        if instance_id in self.refused:
            error = self.refused[instance_id][0]
            notes.append("its %s was refused with %s (request id %s); waiting for the change under way to settle"
                         % (error.action, error.code, error.request_id or "none"))
        if instance_id in self.throttled:
            notes.append("its last call was throttled (%s)" % self.throttled[instance_id].code)
        return "%s is %s%s" % (instance_id, status, " (%s)" % "; ".join(notes) if notes else "")

    def run(self, order):
        pending = set(order)
        self.judge_round(pending)
        if pending:
            with self.api.polling():
                self.waiter.wait(
                    lambda: self.poll(pending),
                    lambda: ", ".join(self.describe(instance_id) for instance_id in sorted(pending)),
                    "instances to be %s" % TARGET_STATUS[self.state])
        return [self.current[instance_id] for instance_id in order]
