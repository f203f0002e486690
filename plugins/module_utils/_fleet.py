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
import stat
import time

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import check_ids
from ansible_collections.alibabacloud.ens.plugins.module_utils._desired import exclusive_input_problems, plan_exclusive
from ansible_collections.alibabacloud.ens.plugins.module_utils._eni import (
    ATTACH,
    DETACH,
    EniExecution,
    check_attach_instance,
    check_detach_instances,
    eni_state,
    plan_attach,
    plan_detach,
)
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError
from ansible_collections.alibabacloud.ens.plugins.module_utils._power import RUNNING, STOPPED, PowerExecution
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import EnsWaitTimeout, Waiter

# Statuses a window may start from: the journal must be able to say which power state to come back to.
JOURNAL_STATUSES = ("Running", "Starting", "Stopped", "Stopping")
MAX_JOURNAL_BYTES = 64 * 1024
STEP_STOP = "Stop the instance"
STEP = {DETACH: "Detach the ENIs", ATTACH: "Attach the ENIs"}
STEP_ROLLBACK = {DETACH: "Detach again the ENIs this window attached", ATTACH: "Attach again the ENIs this window detached"}
STEP_POWER = "Return the instance to its power state"


class JournalRefused(EnsError):
    """A journal (or its folder) that cannot be trusted: the instance is left alone."""


def _code_and_request_id(error):
    details = getattr(error, "details", {})
    return (getattr(error, "code", None) or details.get("error_code") or "",
            getattr(error, "request_id", None) or details.get("request_id") or "")


def _describe_error(error):
    """The error's message, with its code and request id when the message does not already carry them."""
    message = error.message if isinstance(error, EnsError) else str(error)
    code, request_id = _code_and_request_id(error)
    if request_id and request_id not in message:
        message += " (error code %s, request id %s)" % (code or "none", request_id)
    return message


class Outcome:
    """One instance's result: what the eni_change role reports as eni_change_result."""

    def __init__(self, instance_id, rollback):
        self.instance_id = instance_id
        self.changed = False
        self.refused = False
        self.error = ""
        self.error_code = ""
        self.request_id = ""
        self.errors = []
        self.previous_status = None
        self.status = None
        self.final_state = None
        self.to_detach = []
        self.to_attach = []
        self.window_detach = []
        self.window_attach = []
        self.journal = {"found": False, "path": "", "kept": False}
        self.rollback = {"enabled": rollback, "needed": False, "done": False, "reattached": [], "detached": [],
                         "error": "", "where": {}}
        self.touched = False          # the window started changing ENIs: a failure from here on is rolled back
        self.power_failed = False
        self.power_error = ""
        self.request = None           # the change asked: attach, detach, power_state (with what a journal puts back)
        self.journal_content = {}
        self.window = False           # the instance gets a stop/start window
        self.stop_needed = False
        self.before = {}
        self.after = {}
        self.state = "waiting"        # for the progress file: waiting, done, failed, refused, unchanged
        self.detail = "planning"

    @property
    def failed(self):
        return bool(self.error)

    def fail(self, step, error):
        """The first failure is the one reported; the instance is rolled back and returned to its power state."""
        if self.error:
            return
        self.error = "%s failed on %s: %s" % (step, self.instance_id, _describe_error(error))
        self.error_code, self.request_id = _code_and_request_id(error)
        self.rollback["needed"] = self.touched
        self.state = "failed"

    def refuse(self, message, errors=(), code="", request_id=""):
        self.refused = True
        self.error = message
        self.errors = list(errors)
        self.error_code = code or (self.errors[0]["error_code"] if self.errors else "")
        self.request_id = request_id or (self.errors[0].get("request_id") or "" if self.errors else "")
        self.state = "refused"
        self.detail = "refused, never stopped"

    def close_message(self):
        """The failure message as the single-host role ends it: the rollback, then the power state."""
        if not self.error or self.refused:
            return
        rollback = self.rollback
        if not rollback["needed"]:
            tail = ""
        elif not rollback["enabled"]:
            tail = "Rollback is off (eni_change_rollback=false): the ENIs were left as they are."
        elif rollback["done"]:
            tail = ("Rolled back: every ENI is where it was before the window (attached as before: %s; detached as before: %s)."
                    % (", ".join(rollback["reattached"]) or "none", ", ".join(rollback["detached"]) or "none"))
        else:
            tail = ("The rollback failed too (%s). Where the ENIs are now: %s. The journal %s is kept: the next run finishes "
                    "the change it asks for and puts back the ENIs of this window that it does not ask for."
                    % (rollback["error"], "; ".join("%s: %s" % item for item in sorted(rollback["where"].items())),
                       self.journal["path"] or "(none: journal_dir was not set)"))
        if not self.power_failed:
            power = "The instance was returned to %s." % self.final_state
        elif self.power_error in self.error:
            power = ""
        else:
            power = "The instance could not be returned to %s: %s." % (self.final_state, self.power_error)
        self.error = " ".join(part for part in (self.error, tail, power) if part)

    def as_dict(self):
        return {
            "instance_id": self.instance_id, "changed": self.changed, "failed": self.failed, "refused": self.refused,
            "error": self.error, "error_code": self.error_code, "request_id": self.request_id, "errors": self.errors,
            "previous_status": self.previous_status, "status": self.status, "final_state": self.final_state,
            "to_detach": self.to_detach, "to_attach": self.to_attach,
            "detached": self.to_detach, "attached": self.to_attach,
            "journal": self.journal, "rollback": self.rollback,
            "diff": {"before": self.before, "after": self.after},
        }


class Journals:
    """The per-instance journals of windows, with the eni_change role's files, format and trust rules."""

    def __init__(self, directory):
        self.directory = directory
        self.folder_problem = None
        if directory:
            self.folder_problem = self._check_folder()

    def path(self, instance_id):
        return os.path.join(self.directory, "%s.json" % instance_id) if self.directory else ""

    def _check_folder(self):
        try:
            info = os.stat(self.directory)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return "Could not look at the journal folder %s: %s. Nothing was changed." % (self.directory, exc.strerror or exc)
        if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            what = ("writable by its group or by everyone (mode %04o)" % stat.S_IMODE(info.st_mode)
                    if stat.S_ISDIR(info.st_mode) else "not a folder")
            return ("The journal folder %s is %s: anyone able to write there could plant a journal that makes the module "
                    "stop, start or change an instance. It does not change the folder's mode. Give journal_dir "
                    "(eni_change_journal_dir) a folder only you can write to (for example chmod 0700 it, or let it create "
                    "a new one). Nothing was changed." % (self.directory, what))
        return None

    def read(self, instance_id):
        """The journal an unfinished window left for the instance ({} when none); raises JournalRefused."""
        if not self.directory:
            return {}
        if self.folder_problem:
            raise JournalRefused(self.folder_problem)
        path = self.path(instance_id)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise JournalRefused("Could not look at the journal %s: %s. Nothing was changed." % (path, exc.strerror or exc))
        problem = None
        if stat.S_ISLNK(info.st_mode):
            problem = "a symbolic link"
        elif not stat.S_ISREG(info.st_mode):
            problem = "not a regular file"
        elif info.st_uid != os.getuid():
            problem = "owned by uid %d, not by the user running the module (uid %d)" % (info.st_uid, os.getuid())
        elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            problem = "writable by its group or by everyone (mode %04o)" % stat.S_IMODE(info.st_mode)
        elif info.st_size > MAX_JOURNAL_BYTES:
            problem = "%d bytes, more than a journal ever holds" % info.st_size
        if problem:
            raise JournalRefused(
                "The journal %s of instance %s is %s. Only a journal the collection could have written itself is trusted: "
                "a regular file owned by the user running it and writable by nobody else. It was not read and nothing was "
                "changed. Remove it if no window is unfinished on %s." % (path, instance_id, problem, instance_id))
        try:
            with open(path, "rb") as handle:
                journal = json.loads(handle.read(MAX_JOURNAL_BYTES + 1).decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise JournalRefused("The journal %s of instance %s is not JSON (%s). Nothing was changed."
                                 % (path, instance_id, str(exc)[:200]))
        lists = [journal.get("to_detach", []), journal.get("to_attach", [])] if isinstance(journal, dict) else []
        if not isinstance(journal, dict):
            problem = "it is not a JSON object"
        elif journal.get("instance_id") != instance_id:
            problem = "it is about instance %s" % (json.dumps(journal.get("instance_id"))[:100],)
        elif journal.get("previous_status") not in JOURNAL_STATUSES:
            problem = "its previous_status %s is not one of %s" % (json.dumps(journal.get("previous_status"))[:100],
                                                                   ", ".join(JOURNAL_STATUSES))
        elif not all(isinstance(item, list) and all(isinstance(eni_id, str) for eni_id in item) for item in lists):
            problem = "its to_detach and to_attach are not lists of ENI IDs"
        if problem:
            raise JournalRefused("The journal %s of instance %s does not match it: %s. Nothing was done for it. Remove it "
                                 "if no window is unfinished on %s." % (path, instance_id, problem, instance_id))
        return journal

    def write(self, outcome):
        """Open the window's journal before anything is stopped; raises OSError when it cannot be written."""
        if not self.directory:
            return
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, mode=0o700)
        path = self.path(outcome.instance_id)
        temporary = "%s.tmp-%d" % (path, os.getpid())
        content = json.dumps({"instance_id": outcome.instance_id, "previous_status": outcome.previous_status,
                              "to_detach": outcome.window_detach, "to_attach": outcome.window_attach})
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(content)
        os.replace(temporary, path)

    def close(self, outcome):
        if self.directory:
            try:
                os.unlink(self.path(outcome.instance_id))
            except FileNotFoundError:
                pass


class FleetWindow:
    """Runs the ENI changes of many instances: plan all, then each phase for all instances together."""

    def __init__(self, api, params, check_mode=False, warn=None, record=None, progress_file=None, clock=None, sleep=None):
        self.api = api
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

    def read_enis(self, ids):
        if not ids:
            return {}, None
        found = dict((eni["NetworkInterfaceId"], eni) for eni in self.api.describe_network_interfaces(sorted(ids)))
        return found, self.api.last_request_id.get("DescribeNetworkInterfaces")

    def read_instances(self, ids):
        if not ids:
            return {}
        found = dict((item["InstanceId"], item) for item in self.api.describe_instances(sorted(ids)))
        self.instances.update(found)
        for iid, item in found.items():
            if iid in self.outcomes:
                self.outcomes[iid].status = item.get("Status")
        return found

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
                outcome.refuse("Invalid input, nothing was done: " + "; ".join(problems), code="InvalidParameter")
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
                enis.update((eni["NetworkInterfaceId"], eni) for eni in self.api.describe_network_interfaces(instance_id=iid))
        enis_read, read_id = self.read_enis(wanted - set(enis))
        enis.update(enis_read)
        read_id = read_id or self.api.last_request_id.get("DescribeNetworkInterfaces")
        self.read_instances(planned)
        instance_read_id = self.api.last_request_id.get("DescribeInstances")
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
        detach_plan = plan_detach(iid, detach, enis, read_id)
        attach_plan = plan_attach(iid, attach, enis, read_id)
        if instance is None:
            attach_plan.add_problem(iid, "the instance does not exist", "InstanceNotFound", instance_read_id)
        elif detach_plan.changed or attach_plan.changed:
            check_detach_instances(detach_plan, {iid: instance}, instance_read_id, require_stopped=False)
            check_attach_instance(attach_plan, instance, instance_read_id, require_stopped=False, freed=detach_plan.changes)
        problems = detach_plan.problems + attach_plan.problems
        if problems:
            outcome.refuse("Cannot change the ENIs of instance %s; nothing was stopped or changed: %s"
                           % (iid, "; ".join(str(problem) for problem in problems)),
                           errors=[problem.as_dict() for problem in problems])
            return
        for warning in dict.fromkeys(detach_plan.warnings + attach_plan.warnings):
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
        if outcome.window and origin not in JOURNAL_STATUSES:
            outcome.refuse("Instance %s is %s: a window opens only on an instance that is %s. Nothing was stopped."
                           % (iid, origin, ", ".join(JOURNAL_STATUSES)), code="IncorrectInstanceStatus",
                           request_id=instance_read_id or "")
            outcome.changed = False
            return
        outcome.detail = "unchanged" if not outcome.window else "to detach %s; to attach %s; ends %s" % (
            ", ".join(outcome.to_detach) or "none", ", ".join(outcome.to_attach) or "none", outcome.final_state)
        outcome.state = "waiting" if outcome.window else "unchanged"
        if not outcome.window:
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
                self.journals.write(outcome)
            except OSError as exc:
                outcome.refuse("Could not write the journal %s of instance %s: %s. Without it a play killed inside the "
                               "window could not be finished, so nothing was stopped. Give journal_dir "
                               "(eni_change_journal_dir) a folder the user running it can write to."
                               % (self.journals.path(iid), iid, exc.strerror or exc), code="JournalNotWritten")
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
        timeout = self.params["power_wait_timeout"]
        power = PowerExecution(self.api, self.record, self.waiter(timeout), state, force_stop, True,
                               [self.instances[iid] for iid in ids], warn=self.warn, batch=True, isolate=True)
        pending = set(ids)

        def poll():
            done = power.poll(pending)
            self.note_power(power, ids, step)
            return done

        try:
            power.judge_round(pending)
            self.note_power(power, ids, step)
            if pending:
                with self.api.polling():
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
        self.settle_power(power, ids, step)
        return power

    def note_power(self, power, ids, step):
        """Keep each instance's last status (and the phase's progress) from the power execution's reads."""
        for iid in ids:
            outcome = self.outcomes[iid]
            self.instances[iid] = power.current.get(iid, self.instances[iid])
            outcome.status = self.instances[iid].get("Status", outcome.status)
            outcome.detail = "%s: %s%s" % (step.lower(), outcome.status, " (failed)" if iid in power.failed else "")
        self.report()

    def settle_power(self, power, ids, step):
        """Set aside the instances the power phase failed, once it is over."""
        for iid in ids:
            error = power.failed.get(iid)
            if error is None:
                continue
            outcome = self.outcomes[iid]
            if step == STEP_POWER:
                outcome.power_failed = True
                outcome.power_error = _describe_error(error)
            outcome.fail(step, error)
        self.note_power(power, ids, step)

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
            instances = self.read_instances(wanted_by_instance)
        except EnsError as error:
            for iid in wanted_by_instance:
                fail(self.outcomes[iid], step, error)
            return
        instance_read_id = self.api.last_request_id.get("DescribeInstances")
        waiter = self.waiter(self.params["wait_timeout"])
        executions, pending = {}, {}
        for iid, ids in sorted(wanted_by_instance.items()):
            outcome = self.outcomes[iid]
            if operation == ATTACH:
                plan = plan_attach(iid, ids, enis, read_id)
                check_attach_instance(plan, instances.get(iid), instance_read_id)
            else:
                plan = plan_detach(iid, ids, enis, read_id)
                check_detach_instances(plan, {iid: instances.get(iid)} if instances.get(iid) else {}, instance_read_id)
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
            found, _ = self.read_enis(set(e for ids in wanted.values() for e in ids))
            for iid, ids in wanted.items():
                try:
                    executions[iid].advance(pending[iid], ids, found)
                except EnsError as error:
                    fail(self.outcomes[iid], step, error)
                    pending[iid] = set()
                self.outcomes[iid].detail = "%s: %s" % (operation, executions[iid].describe_pending(pending[iid]) or "done")
            self.report()
            return not any(pending.values())

        self.report()
        try:
            if any(pending.values()):
                with self.api.polling():
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
                outcome.rollback["error"] = "%s: %s" % (step, _describe_error(error))

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
                found, _ = self.read_enis(set(ids))
                unread = "not found"
            except EnsError as error:
                found, unread = {}, _describe_error(error)
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
            if unfinished or outcome.power_failed:
                outcome.journal["kept"] = bool(self.journals.directory)
            else:
                self.journals.close(outcome)
            outcome.close_message()
            if not outcome.failed:
                outcome.state, outcome.detail = "done", "%s, ENIs changed" % outcome.status
        self.report()

    def results(self):
        return dict((iid, self.outcomes[iid].as_dict()) for iid in self.order)


def _union(first, second):
    return list(first) + [item for item in second if item not in first]
