# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Attaching and detaching ENIs: the plan (pure, unit-tested) and its execution (one wait loop for all)."""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import EnsInputError, EnsModule, check_ids, to_snake
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsApiError, EnsError
from ansible_collections.alibabacloud.ens.plugins.module_utils._power import KNOWN_INSTANCE_STATUSES, lost_answer, put_off, stuck_rule
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import READ_LAG_GRACE_SECONDS, AcceptedCall

ATTACH = "attach"
DETACH = "detach"
MAX_ENIS_PER_INSTANCE = 10

# What each ENI needs.
UNCHANGED = "unchanged"          # already where asked
WAIT = "wait"                    # moving there by itself: wait, unchanged
CALL = "call"                    # call the API now
WAIT_THEN_CALL = "wait_then_call"  # let a transition settle, then call
SKIP = "skip"                    # detach: attached to another instance than the one named: left alone

TARGET_STATUS = {ATTACH: "InUse", DETACH: "Available"}
TRANSITIONAL_STATUS = {ATTACH: "Attaching", DETACH: "Detaching"}
SOURCE_STATUS = {ATTACH: "Available", DETACH: "InUse"}        # where the API accepts the call
API_ACTION = {ATTACH: "AttachNetworkInterface", DETACH: "DetachNetworkInterface"}
UNEXPLAINED_RETRY_SECONDS = 1.0  # first wait before a call refused for state, with no change of ours under way, is made again
SETTLING_STATUS = {ATTACH: "Detaching", DETACH: "Attaching"}  # the opposite change, still under way
KNOWN_ENI_STATUSES = frozenset(("Available", "Attaching", "InUse", "Detaching", "Deleting"))
ROLE_HINT = {
    ATTACH: "use the alibabacloud.ens.eni_attach role, which stops the instance and restores its power state",
    DETACH: "use the alibabacloud.ens.eni_detach role, which stops the instance and restores its power state",
}


class EnsPreconditionError(EnsError):
    """The change cannot succeed; found before any mutating call."""


class EnsUnexpectedState(EnsError):
    """A resource moved somewhere the plan did not expect while we waited."""


class Problem:
    """One reason a plan cannot succeed: the resource, the rule it breaks, the API error code it would get."""

    def __init__(self, resource, rule, error_code, request_id=None):
        self.resource = resource
        self.rule = rule
        self.error_code = error_code
        self.request_id = request_id

    def as_dict(self):
        return {"resource": self.resource, "rule": self.rule, "error_code": self.error_code, "request_id": self.request_id}

    def __str__(self):
        return "%s: %s (%s)" % (self.resource, self.rule, self.error_code)


class EniPlan:
    """What an attach or detach run has to do for each ENI, and why it may not be possible."""

    def __init__(self, operation, instance_id, requested_ids, enis):
        self.operation = operation
        self.instance_id = instance_id
        self.requested_ids = list(requested_ids)
        self.enis = dict(enis)
        self.steps = {}
        self.problems = []
        self.warnings = []

    @property
    def changes(self):
        return [eni_id for eni_id in self.requested_ids if self.steps.get(eni_id) in (CALL, WAIT_THEN_CALL)]

    @property
    def changed(self):
        return bool(self.changes)

    def add_problem(self, resource, rule, error_code, request_id=None):
        self.problems.append(Problem(resource, rule, error_code, request_id))

    def involved_instance_ids(self):
        """Instances whose state decides whether the planned calls can succeed."""
        if self.operation == ATTACH:
            return [self.instance_id]
        ids = []
        for eni_id in self.changes:
            owner = self.enis[eni_id].get("InstanceId")
            if owner and owner not in ids:
                ids.append(owner)
        return ids

    def raise_problems(self):
        if self.problems:
            what = ("attach to instance %s" % self.instance_id if self.operation == ATTACH
                    else "detach" + (" from instance %s" % self.instance_id if self.instance_id else ""))
            raise EnsPreconditionError(
                "Cannot %s; no change was made: %s" % (what, "; ".join(str(p) for p in self.problems)),
                errors=[p.as_dict() for p in self.problems])

    def predicted(self, eni_id):
        """The ENI as a successful run would leave it."""
        eni = dict(self.enis[eni_id])
        if self.steps[eni_id] in (WAIT, CALL, WAIT_THEN_CALL):
            eni["Status"] = TARGET_STATUS[self.operation]
            eni["InstanceId"] = self.instance_id if self.operation == ATTACH else ""
        return eni


def _existing_enis(plan, request_id):
    """Yield (id, ENI, status, owner) for each requested ENI that exists; a missing one is a problem."""
    for eni_id in plan.requested_ids:
        eni = plan.enis.get(eni_id)
        if eni is None:
            plan.add_problem(eni_id, "the ENI does not exist", "InvalidEniId.NotFound", request_id)
            continue
        yield eni_id, eni, eni.get("Status"), eni.get("InstanceId") or ""


def plan_attach(instance_id, requested_ids, enis, request_id=None):
    """Plan attaching `requested_ids` to `instance_id` from the ENIs as read (dict id -> API object)."""
    plan = EniPlan(ATTACH, instance_id, requested_ids, enis)
    for eni_id, eni, status, owner in _existing_enis(plan, request_id):
        if eni.get("Type") == "Primary" and owner != instance_id:
            plan.add_problem(eni_id, "a primary ENI cannot be attached to another instance",
                             "InvalidOperation.InvalidEniType", request_id)
        elif status in ("InUse", "Attaching") and owner == instance_id:
            plan.steps[eni_id] = UNCHANGED if status == "InUse" else WAIT
        elif status in ("InUse", "Attaching"):
            plan.add_problem(eni_id, "the ENI is %s on instance %s; detach it there first, it is never moved silently"
                             % (status, owner), "InvalidOperation.InvalidEniStatus", request_id)
        elif status == "Available":
            plan.steps[eni_id] = CALL
        elif status == "Detaching":
            plan.steps[eni_id] = WAIT_THEN_CALL
        else:
            plan.add_problem(eni_id, "the ENI is %s, it can only be attached when Available" % status,
                             "InvalidOperation.InvalidEniStatus", request_id)
    return plan


def check_attach_instance(plan, instance, request_id=None, require_stopped=True, freed=()):
    """Add the instance-side problems of an attach plan: existence, power state, zone, network, ENI limit.

    `require_stopped=False` defers the power-state rule to whoever stops the instance; `freed` are ENIs
    that will be detached from it first, in the same maintenance window.
    """
    instance_id = plan.instance_id
    if instance is None:
        plan.add_problem(instance_id, "the instance does not exist", "InstanceNotFound", request_id)
        return
    status = instance.get("Status")
    stuck = stuck_rule(status)
    if stuck:
        plan.add_problem(instance_id, stuck, "InvalidOperation.InvalidEnsStatus", request_id)
    elif require_stopped and status != "Stopped":
        plan.add_problem(instance_id, "the instance is %s; attaching an ENI needs it Stopped: stop it with "
                         "alibabacloud.ens.ens_instance_power, or %s" % (status, ROLE_HINT[ATTACH]),
                         "InvalidOperation.InvalidEnsStatus", request_id)
    elif status not in KNOWN_INSTANCE_STATUSES:
        plan.warnings.append(unknown_instance_status(instance_id, status))
    region = instance.get("EnsRegionId")
    network = (instance.get("NetworkAttributes") or {}).get("NetworkId")
    for eni_id in plan.changes:
        eni = plan.enis[eni_id]
        if eni.get("EnsRegionId") != region:
            plan.add_problem(eni_id, "the ENI is in zone %s, instance %s is in zone %s"
                             % (eni.get("EnsRegionId"), instance_id, region), "InvalidOperation.NetworkMismatch", request_id)
        elif eni.get("NetworkId") != network:
            plan.add_problem(eni_id, "the ENI is in network %s, instance %s is in network %s"
                             % (eni.get("NetworkId"), instance_id, network), "InvalidOperation.NetworkMismatch", request_id)
    attached = (instance.get("NetworkInterfaces") or {}).get("NetworkInterfaces") or []
    attached_ids = set(item.get("NetworkInterfaceId") for item in attached) - set(freed)
    total = len(attached_ids) + len([eni_id for eni_id in plan.changes if eni_id not in attached_ids])
    if total > MAX_ENIS_PER_INSTANCE:
        plan.add_problem(instance_id, "the instance has %d ENIs and %d more would make %d, over the limit of %d"
                         % (len(attached_ids), total - len(attached_ids), total, MAX_ENIS_PER_INSTANCE),
                         "EniPerInstanceLimitExceeded", request_id)


def plan_detach(instance_id, requested_ids, enis, request_id=None):
    """Plan detaching `requested_ids` (only from `instance_id` when it is given)."""
    plan = EniPlan(DETACH, instance_id, requested_ids, enis)
    for eni_id, eni, status, owner in _existing_enis(plan, request_id):
        if eni.get("Type") == "Primary":
            plan.add_problem(eni_id, "it is the primary ENI of instance %s, which can never be detached" % owner,
                             "InvalidOperation.InvalidEniType", request_id)
        elif status == "Available":
            plan.steps[eni_id] = UNCHANGED
        elif status == "Detaching":
            plan.steps[eni_id] = WAIT
        elif status in ("InUse", "Attaching") and instance_id and owner != instance_id:
            plan.steps[eni_id] = SKIP
            plan.warnings.append("%s is %s on instance %s, not on %s: left alone" % (eni_id, status, owner, instance_id))
        elif status == "InUse":
            plan.steps[eni_id] = CALL
        elif status == "Attaching":
            plan.steps[eni_id] = WAIT_THEN_CALL
        else:
            plan.add_problem(eni_id, "the ENI is %s, it can only be detached when InUse" % status,
                             "InvalidOperation.InvalidEniStatus", request_id)
    return plan


def check_detach_instances(plan, instances, request_id=None, require_stopped=True):
    """Add the instance-side problems of a detach plan: each owning instance must exist and be Stopped."""
    for eni_id in plan.changes:
        owner = plan.enis[eni_id].get("InstanceId")
        instance = instances.get(owner)
        stuck = stuck_rule(instance.get("Status"), "its instance %s" % owner) if instance else None
        if instance is None:
            plan.add_problem(eni_id, "its instance %s does not exist" % owner, "InstanceNotFound", request_id)
        elif stuck:
            plan.add_problem(eni_id, stuck, "InvalidOperation.InvalidEnsStatus", request_id)
        elif require_stopped and instance.get("Status") != "Stopped":
            plan.add_problem(eni_id, "its instance %s is %s; detaching needs it Stopped: stop it with "
                             "alibabacloud.ens.ens_instance_power, or %s" % (owner, instance.get("Status"), ROLE_HINT[DETACH]),
                             "InvalidOperation.InvalidEnsStatus", request_id)
        elif instance.get("Status") not in KNOWN_INSTANCE_STATUSES:
            plan.warnings.append(unknown_instance_status(owner, instance.get("Status")))


def unknown_instance_status(instance_id, status):
    return ("instance %s is %s, a status this collection does not know: stopping it waits for it to settle"
            % (instance_id, status))


class _Deferred:
    """Why an ENI's call is still to be made: not due yet, or put off by a refusal or throttling."""

    def __init__(self, error=None, explained=True, since=None, refusals=0):
        self.error = error          # the state refusal or throttling that put the call off, if any
        self.explained = explained  # a change under way accounts for the refusal: make the call again once it settles
        self.since = since          # when the first of these refusals came
        self.refusals = refusals    # how many times in a row the call was refused with no change of ours explaining it

    def next_try(self):
        """An unexplained refusal is tried again 1, 2, 4, 8... s after the first: other ENI operations on the
        instance (not this run's) are invisible to this run's reads, and the API is the only one to ask."""
        return self.since + UNEXPLAINED_RETRY_SECONDS * (2 ** self.refusals - 1)

    @property
    def refused(self):
        return self.error is not None and put_off(self.error) == "refused"


class EniExecution:
    """Runs a plan: the calls back to back, then one wait loop reading every ENI with one call per poll.

    After an accepted call, a read still showing the ENI's source status is "not yet" for READ_LAG_GRACE_SECONDS
    (reads may lag the call). A call refused for state while another ENI operation of this run on the same
    instance is under way is made again once that settles, one at a time on that instance from then on; a
    refusal nothing of this run explains (another change this run cannot see) is asked again with backoff
    within the grace period; a throttled call is made again at the next poll.
    """

    def __init__(self, plan, api, record, waiter, wait, warn=None):
        self.plan = plan
        self.api = api
        self.record = record
        self.waiter = waiter
        self.clock = waiter.clock
        self.wait = wait
        self.warn = warn or (lambda message: None)
        self.current = dict(plan.enis)
        self.accepted = {}   # ENI id -> AcceptedCall
        self.to_call = {}    # ENI id -> _Deferred: its call is still to be made
        self.serial = set()  # instances that refused a second ENI operation while one was under way
        self.warned = set()

    def _instance_of(self, eni_id):
        """The instance the ENI's call is about (whose other ENI operations can conflict with it)."""
        if self.plan.operation == ATTACH:
            return self.plan.instance_id
        return self.plan.enis[eni_id].get("InstanceId")

    def _in_flight(self, instance_id):
        """ENIs of this run with a change under way on the instance: an accepted call whose result no read has
        shown yet, or a transition found under way."""
        target = TARGET_STATUS[self.plan.operation]
        busy = []
        for eni_id in sorted(self.plan.steps):
            status = (self.current.get(eni_id) or {}).get("Status")
            if self._instance_of(eni_id) == instance_id and status and (
                    status in ("Attaching", "Detaching") or (eni_id in self.accepted and status != target)):
                busy.append(eni_id)
        return busy

    def _may_call(self, eni_id):
        """Whether the ENI's call may go now: one at a time on an instance that refused a second operation, and
        only the refused ENI's call while a refusal nothing explains is pending on the instance."""
        instance_id = self._instance_of(eni_id)
        if instance_id in self.serial and self._in_flight(instance_id):
            return False
        return not any(other != eni_id and deferred.refused and not deferred.explained and self._instance_of(other) == instance_id
                       for other, deferred in self.to_call.items())

    def _call(self, eni_id):
        """Make the ENI's call; a state refusal or throttling puts it off (to_call). True when accepted."""
        plan = self.plan
        eni = self.current[eni_id]
        busy = bool(self._in_flight(self._instance_of(eni_id)))
        try:
            if plan.operation == ATTACH:
                owner = plan.instance_id
                request_id = self.api.attach_network_interface(owner, eni_id)
            else:
                owner = eni.get("InstanceId")
                request_id = self.api.detach_network_interface(eni_id, owner)
        except EnsApiError as error:
            if lost_answer(error):
                return self._accept(eni_id, error.request_id, owner, unsure=error)
            reason = put_off(error)
            if reason is None:
                raise
            if reason == "refused" and busy:
                self.serial.add(self._instance_of(eni_id))
            previous = self.to_call.get(eni_id)
            unexplained = reason == "refused" and not busy
            again = unexplained and previous is not None and previous.refused and not previous.explained
            self.to_call[eni_id] = _Deferred(error, explained=not unexplained, since=previous.since if again else self.clock(),
                                             refusals=previous.refusals + 1 if again else int(unexplained))
            return False
        return self._accept(eni_id, request_id, owner)

    def _accept(self, eni_id, request_id, owner, unsure=None):
        """Follow a call the API accepted, or one whose answer was lost: reads decide, within the grace period."""
        operation = self.plan.operation
        self.to_call.pop(eni_id, None)
        self.record(request_id)
        self.accepted[eni_id] = AcceptedCall(API_ACTION[operation], request_id, self.clock(), SOURCE_STATUS[operation],
                                             unsure=unsure)
        # Until the next read, the ENI stands where an accepted call puts it.
        self.current[eni_id] = dict(self.current[eni_id], Status=TRANSITIONAL_STATUS[operation], InstanceId=owner)
        return True

    def _evaluate(self, eni_id):
        """After a read: True when the ENI needs nothing more, False to wait, CALL when its call is due now.

        Raises when the ENI went somewhere the plan did not expect.
        """
        plan = self.plan
        operation = plan.operation
        eni = self.current.get(eni_id)
        if eni is None:
            raise EnsUnexpectedState("%s disappeared while waiting to %s it" % (eni_id, operation))
        status, owner = eni.get("Status"), eni.get("InstanceId") or ""
        if operation == ATTACH and status in ("InUse", "Attaching") and owner != plan.instance_id:
            raise EnsUnexpectedState("%s was taken by instance %s while waiting to attach it to %s"
                                     % (eni_id, owner, plan.instance_id))
        if status == TARGET_STATUS[operation]:
            self.to_call.pop(eni_id, None)
            return True
        call = self.accepted.get(eni_id)
        deferred = self.to_call.get(eni_id)
        if call is not None:
            if status == TRANSITIONAL_STATUS[operation]:
                call.progressed = True
                return not self.wait
            if status == call.source_status and not call.progressed:
                if call.lagging(self.clock()):
                    return False
                raise EnsUnexpectedState(
                    "%s is still %s: %s, but the change never showed: the %s did not take effect"
                    % (eni_id, status, call.describe(self.clock()), operation),
                    error_code=call.unsure.code if call.unsure else None, request_id=call.request_id)
        elif deferred is not None:
            if status == SOURCE_STATUS[operation]:
                if deferred.refused and not deferred.explained and not self._in_flight(self._instance_of(eni_id)):
                    # Another change on the instance, unseen by this run's reads, may explain it: ask again, for a while.
                    now = self.clock()
                    if now - deferred.since < READ_LAG_GRACE_SECONDS:
                        return CALL if now >= deferred.next_try() else False
                    error = deferred.error
                    error.message += ("; refused %d times over %d s of reads still showing %s %s, with no other ENI "
                                      "operation of this run under way on instance %s"
                                      % (deferred.refusals, READ_LAG_GRACE_SECONDS, eni_id, status, self._instance_of(eni_id)))
                    error.args = (error.message,)
                    raise error
                return CALL
            if status in (TRANSITIONAL_STATUS[operation], SETTLING_STATUS[operation]):
                deferred.explained = True  # a change is under way on the ENI itself
                return False
        elif status == TRANSITIONAL_STATUS[operation]:
            return False  # found under way with no call of ours: wait for it
        if status not in KNOWN_ENI_STATUSES:
            if (eni_id, status) not in self.warned:
                self.warned.add((eni_id, status))
                self.warn("%s is %s, a status this collection does not know: waiting for it to settle" % (eni_id, status))
            return False
        done = "%s call was accepted (request id %s)" % (call.action, call.request_id or "none") if call else "call was not made yet"
        raise EnsUnexpectedState(
            "%s is %s%s, it was to become %s%s: the %s; the %s did not complete"
            % (eni_id, status, " on %s" % owner if owner else "", TARGET_STATUS[operation],
               " on %s" % plan.instance_id if operation == ATTACH else "", done, operation))

    def _poll(self, pending):
        wanted = self.wanted(pending)
        found = dict((eni["NetworkInterfaceId"], eni) for eni in self.api.describe_network_interfaces(wanted))
        return self.advance(pending, wanted, found)

    def wanted(self, pending):
        """The ENIs the next poll reads: the pending ones, and those of this run holding back a put-off call."""
        held = set(self._instance_of(eni_id) for eni_id in self.to_call)
        watched = set(eni_id for instance_id in held for eni_id in self._in_flight(instance_id))
        return sorted(pending | watched)

    def advance(self, pending, wanted, found):
        """Judge the ENIs from a read (`found`: ENIs by id), make the calls now due; True once none is pending."""
        for eni_id in wanted:
            self.current[eni_id] = found.get(eni_id)
        verdicts = dict((eni_id, self._evaluate(eni_id)) for eni_id in sorted(pending))
        for eni_id in self.plan.requested_ids:
            if verdicts.get(eni_id) == CALL and self._may_call(eni_id):
                verdicts[eni_id] = self._call(eni_id) and not self.wait
        pending.difference_update([eni_id for eni_id, verdict in verdicts.items() if verdict is True])
        return not pending

    def describe_pending(self, pending):
        now = self.clock()
        parts = []
        for eni_id in sorted(pending):
            eni = self.current.get(eni_id)
            status = (eni or {}).get("Status", "gone")
            notes = []
            if eni and status not in KNOWN_ENI_STATUSES:
                notes.append("a status this collection does not know")
            if eni_id in self.accepted:
                call = self.accepted[eni_id]
                notes.append(call.describe(now) + ("" if call.progressed else "; no read has shown the change yet"))
            deferred = self.to_call.get(eni_id)
            if deferred is not None and deferred.refused:
                notes.append("its %s call was refused with %s (request id %s); waiting for the change under way to settle"
                             % (self.plan.operation, deferred.error.code, deferred.error.request_id or "none"))
            elif deferred is not None and deferred.error is not None:
                notes.append("its last %s call was throttled (%s)" % (self.plan.operation, deferred.error.code))
            elif deferred is not None and (eni["Status"] if eni else None) == SOURCE_STATUS[self.plan.operation]:
                notes.append("its %s call waits for its turn on instance %s" % (self.plan.operation, self._instance_of(eni_id)))
            elif deferred is not None:
                notes.append("its %s call waits for it to be %s" % (self.plan.operation, SOURCE_STATUS[self.plan.operation]))
            parts.append("%s is %s%s" % (eni_id, status, " (%s)" % "; ".join(notes) if notes else ""))
        return ", ".join(parts)

    def run(self):
        """Make the planned calls and wait; returns the ENIs as they stand at the end, in the order asked."""
        plan = self.plan
        pending = self.begin()
        if pending:
            what = "ENIs to be InUse on instance %s" % plan.instance_id if plan.operation == ATTACH else "ENIs to be Available"
            with self.api.polling():
                self.waiter.wait(lambda: self._poll(pending), lambda: self.describe_pending(pending), what)
        return self.final()

    def final(self):
        """The ENIs as they stand, in the order asked."""
        return [self.current[eni_id] for eni_id in self.plan.requested_ids if self.current.get(eni_id)]

    def begin(self):
        """Make the calls the plan can make now; returns the ENIs to wait for."""
        plan = self.plan
        for eni_id in plan.requested_ids:
            step = plan.steps.get(eni_id)
            if step == CALL and self._may_call(eni_id):
                self._call(eni_id)
            elif step in (CALL, WAIT_THEN_CALL):
                self.to_call[eni_id] = _Deferred()
        waiting_steps = (WAIT, CALL, WAIT_THEN_CALL) if self.wait else ()
        return set(eni_id for eni_id in plan.requested_ids
                   if eni_id in self.to_call or plan.steps.get(eni_id) in waiting_steps)


def eni_state(eni):
    """The part of an ENI that attach and detach change: what diff mode shows."""
    return {"status": eni.get("Status"), "instance_id": eni.get("InstanceId") or ""}


class EniChangeModule(EnsModule):
    """ens_eni_attach and ens_eni_detach: read once, plan, check every precondition, then call and wait."""

    operation = None
    module_kwargs = dict(
        mutually_exclusive=[("network_interface_id", "network_interface_ids")],
        required_one_of=[("network_interface_id", "network_interface_ids")],
    )

    def plan(self, eni_ids, instance_id):
        enis = dict((eni["NetworkInterfaceId"], eni) for eni in self.api.describe_network_interfaces(eni_ids))
        read_id = self.api.last_request_id.get("DescribeNetworkInterfaces")
        planner = plan_attach if self.operation == ATTACH else plan_detach
        plan = planner(instance_id, eni_ids, enis, read_id)
        if plan.changed:
            # The instance is read only when a call is needed: a no-op run makes one API call.
            involved = plan.involved_instance_ids()
            instances = dict((item["InstanceId"], item) for item in self.api.describe_instances(involved)) if involved else {}
            read_id = self.api.last_request_id.get("DescribeInstances")
            if self.operation == ATTACH:
                check_attach_instance(plan, instances.get(instance_id), read_id)
            else:
                check_detach_instances(plan, instances, read_id)
        return plan

    def run(self):
        params = self.module.params
        eni_ids = self.ids_from("network_interface_id", "network_interface_ids", "eni")
        instance_id = params.get("instance_id")
        problems = check_ids([instance_id], "instance_id", "i") if instance_id is not None else []
        if params["wait_timeout"] < 0:
            problems.append("wait_timeout must be 0 or more, not %d" % params["wait_timeout"])
        if problems:
            raise EnsInputError("Invalid input, nothing was done: " + "; ".join(problems))

        plan = self.plan(eni_ids, instance_id)
        plan.raise_problems()
        for warning in plan.warnings:
            self.module.warn(warning)
        if self.check_mode:
            self.result["changed"] = plan.changed
            final = [plan.predicted(eni_id) for eni_id in eni_ids]
        else:
            execution = EniExecution(plan, self.api, self.record, self.waiter(), params["wait"], warn=self.module.warn)
            final = execution.run()
        self.result["network_interfaces"] = [to_snake(eni) for eni in final]
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = {
                "before": dict((eni_id, eni_state(plan.enis[eni_id])) for eni_id in eni_ids if eni_id in plan.enis),
                "after": dict((eni["NetworkInterfaceId"], eni_state(eni)) for eni in final),
            }
