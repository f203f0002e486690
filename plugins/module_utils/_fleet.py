# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fleet window: the ENI changes of many instances in one process, one stop/start window per instance.

Phases run for every instance together (stop, detach, attach, rollback, power back), each with shared polls
(one read per 100 ids per round) and batch power calls; an instance that fails is set aside, rolled back and
returned to its power state on its own, while the others go on. Every call goes through the API's pacer.
"""

from __future__ import annotations

import json
import os
import time

from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import check_ids
from ansible_collections.alibabacloud.ens.plugins.module_utils._desired import exclusive_input_problems, plan_exclusive
from ansible_collections.alibabacloud.ens.plugins.module_utils._eni import EniExecution
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError, EnsInputError
from ansible_collections.alibabacloud.ens.plugins.module_utils._journal import Journals, JournalRefused, not_written, window_refused
from ansible_collections.alibabacloud.ens.plugins.module_utils._outcome import Outcome, describe_error
from ansible_collections.alibabacloud.ens.plugins.module_utils._planning import ATTACH, DETACH, Problem, eni_state, plan_change
from ansible_collections.alibabacloud.ens.plugins.module_utils._power import RUNNING, STOPPED, PowerExecution
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import EnsWaitTimeout, Waiter

STEP_STOP = "Stop the instance"
STEP = {DETACH: "Detach the ENIs", ATTACH: "Attach the ENIs"}
STEP_ROLLBACK = {DETACH: "Detach again the ENIs this window attached", ATTACH: "Attach again the ENIs this window detached"}
STEP_POWER = "Return the instance to its power state"


class FleetWindow:
    """Runs the ENI changes of many instances: plan all, then each phase for all instances together."""

    def __init__(self, api, params, check_mode=False, warn=None, record=None, progress_file=None, clock=None, sleep=None):
        self.api = api
        self.polls = api.for_polls()  # the shared polls: one attempt per read, each wait's deadline rules
        self.params = params
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self.record = record or (lambda request_id: None)
        self.progress_file = progress_file
        self.clock = clock or time.monotonic
        self.sleep = sleep
        self.journals = Journals(params.get("journal_dir"))
        self.outcomes = {}
        self.order = []
        self.instances = {}
        self.phase = "plan"
        self.started = time.time()

    # -- helpers ------------------------------------------------------------------------------------------

    def waiter(self, timeout):
        return Waiter(timeout, sleep=self.sleep, clock=self.clock)

    def active(self, ids=None):
        """Instances whose window is open and still going (not failed)."""
        return [iid for iid in (ids if ids is not None else self.order)
                if self.outcomes[iid].window and not self.outcomes[iid].failed]

    def report(self):
        """Rewrite the progress file (atomically): the phase, and each instance's state, status and detail."""
        if not self.progress_file:
            return
        snapshot = {"started": self.started, "updated": time.time(), "phase": self.phase, "instances": dict(
            (iid, {"state": outcome.state, "status": outcome.status, "detail": outcome.detail})
            for iid, outcome in self.outcomes.items())}
        temporary = "%s.tmp" % self.progress_file
        try:
            with open(temporary, "w") as handle:
                json.dump(snapshot, handle)
            os.replace(temporary, self.progress_file)
        except OSError:
            pass  # progress is for the eyes only: never let it fail the change

    def read_enis(self, ids, api=None):
        """The ENIs by id, and the request id of their read ({}, None when no id is asked for)."""
        if not ids:
            return {}, None
        listing = (api or self.api).describe_network_interfaces(sorted(ids))
        return dict((eni["NetworkInterfaceId"], eni) for eni in listing), listing.request_id

    def read_instances(self, ids):
        """The instances by id, and the request id of their read; each outcome keeps its last status."""
        if not ids:
            return {}, None
        listing = self.api.describe_instances(sorted(ids))
        found = dict((item["InstanceId"], item) for item in listing)
        self.instances.update(found)
        for iid, item in found.items():
            if iid in self.outcomes:
                self.outcomes[iid].status = item.get("Status")
        return found, listing.request_id

    # -- planning -----------------------------------------------------------------------------------------

    def check_changes(self, changes):
        """Outcomes for every change; a change with bad input is refused before any call."""
        params = self.params
        counts = {}
        owners = {}  # ENI id -> the instances whose change names it
        for change in changes:
            counts[change["instance_id"]] = counts.get(change["instance_id"], 0) + 1
            for eni_id in set(list(change.get("attach") or []) + list(change.get("detach") or [])):
                owners.setdefault(eni_id, []).append(change["instance_id"])
        for index, change in enumerate(changes):
            iid = change["instance_id"]
            if iid in self.outcomes:
                continue
            outcome = self.outcomes[iid] = Outcome(iid, params["rollback"])
            self.order.append(iid)
            attach, detach = list(change.get("attach") or []), list(change.get("detach") or [])
            problems = check_ids([iid], "changes[%d].instance_id" % index, "i")
            problems += check_ids(attach, "changes[%d].attach" % index, "eni") + check_ids(detach, "changes[%d].detach" % index, "eni")
            both = sorted(set(attach) & set(detach))
            if both:
                problems.append("%s listed in both attach and detach" % ", ".join(both))
            if params["exclusive"]:
                problems += exclusive_input_problems(iid, attach, detach, params["allow_empty"])
            if counts[iid] > 1:
                problems.append("instance %s is listed %d times: two hosts name the same instance" % (iid, counts[iid]))
            for eni_id in sorted(set(attach + detach)):
                others = sorted(set(owners.get(eni_id, [])) - set([iid]))
                if others:
                    problems.append("%s is also in the change of instance %s: an ENI can be changed for one instance "
                                    "of a batch only" % (eni_id, ", ".join(others)))
            power_state = change.get("power_state") or params["power_state"]
            if problems:
                outcome.refuse(EnsInputError(problems).message, code="InvalidParameter")
                continue
            outcome.request = {"attach": attach, "detach": detach, "power_state": power_state}
            try:
                outcome.journal_content = self.journals.read(iid)
            except JournalRefused as exc:
                outcome.refuse(exc.message, code="JournalRefused")
                continue
            outcome.journal = {"found": bool(outcome.journal_content), "path": self.journals.path(iid), "kept": False}

    def plan(self, changes):
        self.check_changes(changes)
        planned = [iid for iid in self.order if not self.outcomes[iid].refused]
        exclusive = self.params["exclusive"]
        enis = {}
        wanted = set()
        read_id = None
        for iid in planned:
            outcome = self.outcomes[iid]
            journal = outcome.journal_content
            request = outcome.request
            if journal and not exclusive:
                # The next run finishes the change it asks for and puts back what the killed window changed outside it.
                asked = set(request["attach"]) | set(request["detach"])
                request["attach"] = request["attach"] + [e for e in journal.get("to_detach", []) if e not in asked]
                request["detach"] = request["detach"] + [e for e in journal.get("to_attach", []) if e not in asked]
            wanted.update(request["attach"] + request["detach"])
            if exclusive:
                listing = self.api.describe_network_interfaces(instance_id=iid)
                enis.update((eni["NetworkInterfaceId"], eni) for eni in listing)
                read_id = listing.request_id
        enis_read, last_read_id = self.read_enis(wanted - set(enis))
        enis.update(enis_read)
        read_id = last_read_id or read_id
        _found, instance_read_id = self.read_instances(planned)
        for iid in planned:
            self.plan_one(self.outcomes[iid], enis, read_id, instance_read_id)
        self.report()

    def plan_one(self, outcome, enis, read_id, instance_read_id):
        iid = outcome.instance_id
        request = outcome.request
        instance = self.instances.get(iid)
        attach, detach = request["attach"], request["detach"]
        if self.params["exclusive"]:
            detach = plan_exclusive(iid, attach, enis)["detach"]
        plan = plan_change(self.api, iid, attach=attach, detach=detach, window=True, enis=enis, read_id=read_id,
                           instances={iid: instance} if instance else {}, instances_read_id=instance_read_id)
        detach_plan, attach_plan, problems = plan.detach, plan.attach, plan.problems
        if instance is None and not problems:
            # An inventory host naming an instance that does not exist is an error even with nothing to change.
            problems = [Problem(iid, "the instance does not exist", "InstanceNotFound", instance_read_id)]
        if problems:
            outcome.refuse("Cannot change the ENIs of instance %s; nothing was stopped or changed: %s"
                           % (iid, "; ".join(str(problem) for problem in problems)),
                           errors=[problem.as_dict() for problem in problems])
            return
        for warning in plan.warnings:
            self.warn(warning)
        journal = outcome.journal_content
        outcome.to_detach, outcome.to_attach = detach_plan.changes, attach_plan.changes
        outcome.previous_status = journal.get("previous_status") or instance.get("Status")
        origin = outcome.previous_status
        power_state = request["power_state"]
        outcome.final_state = power_state if power_state != "restore" else (
            STOPPED if origin in ("Stopped", "Stopping") else RUNNING)
        journal_detach, journal_attach = journal.get("to_detach", []), journal.get("to_attach", [])
        # What a rollback puts back, counted from before the first (possibly killed) run of the window.
        outcome.window_detach = _union(journal_detach, [e for e in outcome.to_detach if e not in journal_attach])
        outcome.window_attach = _union(journal_attach, [e for e in outcome.to_attach if e not in journal_detach])
        outcome.stop_needed = bool(outcome.to_detach or outcome.to_attach)
        outcome.window = outcome.stop_needed or bool(journal)
        outcome.changed = outcome.window
        touched = outcome.to_detach + outcome.to_attach
        outcome.before = {"status": instance.get("Status"),
                          "network_interfaces": dict((e, eni_state(enis[e])) for e in touched if e in enis)}
        outcome.after = {"status": "Stopped" if outcome.final_state == STOPPED else "Running",
                         "network_interfaces": dict(
                             [(e, {"status": "Available", "instance_id": ""}) for e in outcome.to_detach]
                             + [(e, {"status": "InUse", "instance_id": iid}) for e in outcome.to_attach])}
        refused = window_refused(iid, origin) if outcome.window else None
        if refused:
            outcome.refuse(refused, code="IncorrectInstanceStatus", request_id=instance_read_id or "")
            outcome.changed = False
            return
        outcome.detail = "unchanged" if not outcome.window else "to detach %s; to attach %s; ends %s" % (
            ", ".join(outcome.to_detach) or "none", ", ".join(outcome.to_attach) or "none", outcome.final_state)
        outcome.state = "waiting" if outcome.window else "unchanged"
        if not outcome.window:
            # Nothing to change: the instance is left in the power state it is in, whatever power_state asks.
            outcome.final_state = STOPPED if instance.get("Status") in ("Stopped", "Stopping") else RUNNING
            outcome.after = dict(outcome.before)

    # -- the window ---------------------------------------------------------------------------------------

    def run(self, changes):
        self.plan(changes)
        if self.check_mode:
            for outcome in self.outcomes.values():
                if outcome.state == "waiting":
                    outcome.state, outcome.detail = "done", "would change (check mode)"
            return self.results()
        for iid in self.active():
            outcome = self.outcomes[iid]
            try:
                self.journals.write(iid, outcome.previous_status, outcome.window_detach, outcome.window_attach)
            except OSError as exc:
                outcome.refuse(not_written(self.journals.path(iid), iid, exc), code="JournalNotWritten")
                outcome.changed = False
        self.stop()
        for iid in self.active():
            self.outcomes[iid].touched = self.outcomes[iid].stop_needed
        self.change_enis(DETACH, dict((iid, self.outcomes[iid].to_detach) for iid in self.active()), STEP)
        self.change_enis(ATTACH, dict((iid, self.outcomes[iid].to_attach) for iid in self.active()), STEP)
        self.roll_back()
        self.restore_power()
        self.close()
        return self.results()

    def run_power(self, state, ids, step, force_stop=False):
        """Bring `ids` to `state`, stops and starts as batch calls, polls shared; failures set aside per instance."""
        if not ids:
            return None
        self.report()  # the phase shows before its first call, not after
        timeout = self.params["power_wait_timeout"]
        power = PowerExecution(self.api, self.record, self.waiter(timeout), state, force_stop, True,
                               [self.instances[iid] for iid in ids], warn=self.warn, batch=True, isolate=True)
        pending = set(ids)

        def poll():
            done = power.poll(pending)
            self.note_power(power, ids, step, pending)
            return done

        try:
            power.judge_round(pending)
            self.note_power(power, ids, step, pending)
            if pending:
                power.waiter.wait(poll, lambda: "", "instances to be %s" % state)
        except EnsWaitTimeout as timeout_error:
            for iid in sorted(pending):
                power.failed.setdefault(iid, EnsWaitTimeout(
                    "Timed out after %g s waiting for instance %s to be %s: %s"
                    % (timeout, iid, state, power.describe(iid)), wait_timeout=timeout,
                    request_id=getattr(timeout_error, "request_id", None)))
        except EnsError as error:
            for iid in sorted(pending):
                power.failed.setdefault(iid, error)
        self.settle_power(power, ids, step, pending)
        return power

    def note_power(self, power, ids, step, pending=()):
        """Keep each instance's last status (and the phase's progress) from the power execution's reads."""
        for iid in ids:
            outcome = self.outcomes[iid]
            self.instances[iid] = power.current.get(iid, self.instances[iid])
            outcome.status = self.instances[iid].get("Status", outcome.status)
            outcome.detail = "%s: %s%s" % (step.lower(), outcome.status, " (failed)" if iid in power.failed else "")
            if step == STEP_POWER and iid not in pending and iid not in power.failed and not outcome.failed:
                outcome.state, outcome.detail = "done", "back to %s" % outcome.status
        self.report()

    def settle_power(self, power, ids, step, pending):
        """Set aside the instances the power phase failed, once it is over."""
        for iid in ids:
            error = power.failed.get(iid)
            if error is None:
                continue
            outcome = self.outcomes[iid]
            if step == STEP_POWER:
                outcome.power_failed = True
                outcome.power_error = describe_error(error)
            outcome.fail(step, error)
        self.note_power(power, ids, step, pending)

    def stop(self):
        self.phase = "stop"
        ids = [iid for iid in self.active() if self.outcomes[iid].stop_needed]
        self.run_power(STOPPED, ids, STEP_STOP, force_stop=self.params["force_stop"])

    def change_enis(self, operation, wanted_by_instance, steps, fail=None):
        """Detach or attach the ENIs of many instances, with fresh reads, one shared poll per round."""
        wanted_by_instance = dict((iid, ids) for iid, ids in wanted_by_instance.items() if ids)
        if not wanted_by_instance:
            return
        self.phase = operation if steps is STEP else "rollback"
        fail = fail or (lambda outcome, step, error: outcome.fail(step, error))
        step = steps[operation]
        try:
            enis, read_id = self.read_enis(set(e for ids in wanted_by_instance.values() for e in ids))
            instances, instance_read_id = self.read_instances(wanted_by_instance)
        except EnsError as error:
            for iid in wanted_by_instance:
                fail(self.outcomes[iid], step, error)
            return
        waiter = self.waiter(self.params["wait_timeout"])
        executions, pending = {}, {}
        for iid, ids in sorted(wanted_by_instance.items()):
            outcome = self.outcomes[iid]
            change = plan_change(self.api, iid, attach=ids if operation == ATTACH else (),
                                 detach=ids if operation == DETACH else (), enis=enis, read_id=read_id,
                                 instances=instances, instances_read_id=instance_read_id)
            plan = change.attach if operation == ATTACH else change.detach
            if plan.problems:
                fail(outcome, step, EnsError("Cannot %s: %s" % (operation, "; ".join(str(p) for p in plan.problems)),
                                             error_code=plan.problems[0].error_code, request_id=plan.problems[0].request_id))
                continue
            execution = EniExecution(plan, self.api, self.record, waiter, True, warn=self.warn)
            try:
                pending[iid] = execution.begin()
            except EnsError as error:
                fail(outcome, step, error)
                continue
            executions[iid] = execution
            outcome.detail = "%s %s" % (operation, ", ".join(ids))

        def poll():
            wanted = dict((iid, execution.wanted(pending[iid])) for iid, execution in executions.items() if pending[iid])
            found = self.read_enis(set(e for ids in wanted.values() for e in ids), api=self.polls)[0]
            for iid, ids in wanted.items():
                try:
                    executions[iid].advance(pending[iid], ids, found)
                except EnsError as error:
                    fail(self.outcomes[iid], step, error)
                    pending[iid] = set()
                self.outcomes[iid].detail = "%s %s" % (operation, brief_pending(executions[iid], pending[iid]))
            self.report()
            return not any(pending.values())

        self.report()
        try:
            if any(pending.values()):
                waiter.wait(poll, lambda: "", "ENIs to %s" % operation)
        except EnsWaitTimeout:
            for iid in sorted(iid for iid, ids in pending.items() if ids):
                fail(self.outcomes[iid], step, EnsWaitTimeout(
                    "Timed out after %g s waiting for the ENIs of instance %s to %s: %s"
                    % (self.params["wait_timeout"], iid, operation, executions[iid].describe_pending(pending[iid])),
                    wait_timeout=self.params["wait_timeout"]))
        except EnsError as error:
            for iid in sorted(iid for iid, ids in pending.items() if ids):
                fail(self.outcomes[iid], step, error)

    def roll_back(self):
        """Put the ENIs of every failed instance back where they were before the window, while it is stopped."""
        failed = [iid for iid in self.order if self.outcomes[iid].failed and self.outcomes[iid].rollback["needed"]
                  and self.outcomes[iid].rollback["enabled"]]
        if not failed:
            return

        def rollback_failed(outcome, step, error):
            if not outcome.rollback["error"]:
                outcome.rollback["error"] = "%s: %s" % (step, describe_error(error))

        self.change_enis(DETACH, dict((iid, self.outcomes[iid].window_attach) for iid in failed), STEP_ROLLBACK, rollback_failed)
        still = [iid for iid in failed if not self.outcomes[iid].rollback["error"]]
        self.change_enis(ATTACH, dict((iid, self.outcomes[iid].window_detach) for iid in still), STEP_ROLLBACK, rollback_failed)
        for iid in failed:
            outcome = self.outcomes[iid]
            rollback = outcome.rollback
            if not rollback["error"]:
                rollback.update(done=True, reattached=outcome.window_detach, detached=outcome.window_attach)
                continue
            ids = outcome.window_detach + outcome.window_attach
            try:
                found = self.read_enis(set(ids))[0]
                unread = "not found"
            except EnsError as error:
                found, unread = {}, describe_error(error)
            for eni_id in ids:
                eni = found.get(eni_id)
                was = "attached to %s" % iid if eni_id in outcome.window_detach else "detached"
                now = ("%s%s" % (eni.get("Status"), " on %s" % eni["InstanceId"] if eni.get("InstanceId") else "")
                       if eni else "unknown, it could not be read: %s" % unread)
                rollback["where"][eni_id] = "%s (before the window: %s)" % (now, was)

    def restore_power(self):
        self.phase = "start"
        window = [iid for iid in self.order if self.outcomes[iid].window and not self.outcomes[iid].refused]
        for state in (RUNNING, STOPPED):
            ids = [iid for iid in window if self.outcomes[iid].final_state == state]
            self.run_power(state, ids, STEP_POWER)

    def close(self):
        self.phase = "done"
        for iid in self.order:
            outcome = self.outcomes[iid]
            if not outcome.window or outcome.refused:
                continue
            rollback = outcome.rollback
            unfinished = rollback["needed"] and rollback["enabled"] and not rollback["done"]
            keep = unfinished or outcome.power_failed
            problem = None if keep else self.journals.close(iid)
            outcome.journal["kept"] = bool(self.journals.directory) and bool(keep or problem)
            outcome.close_message()
            if problem:
                outcome.journal_not_removed(problem)
            if not outcome.failed:
                outcome.state, outcome.detail = "done", "%s, ENIs changed" % outcome.status
        self.report()

    def results(self):
        return dict((iid, self.outcomes[iid].as_dict()) for iid in self.order)


def _union(first, second):
    return list(first) + [item for item in second if item not in first]


def brief_pending(execution, pending):
    """What an instance's ENIs wait for, in a few words: each pending ENI and its last status."""
    if not pending:
        return "done"
    return ", ".join("%s: %s" % (eni_id, (execution.current.get(eni_id) or {}).get("Status", "gone"))
                     for eni_id in sorted(pending))
