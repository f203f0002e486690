# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Planning ENI changes (pure, unit-tested): what each ENI needs and every rule the change breaks, and the one
read-then-plan path that ens_eni_attach, ens_eni_detach, ens_eni_plan and ens_eni_batch share."""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError
from ansible_collections.alibabacloud.ens.plugins.module_utils._power import KNOWN_INSTANCE_STATUSES, stuck_rule

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


def eni_state(eni):
    """The part of an ENI that attach and detach change: what diff mode shows."""
    return {"status": eni.get("Status"), "instance_id": eni.get("InstanceId") or ""}


class ChangePlan:
    """The detach and attach plans of one instance's change, with the ENIs and instance they were made from."""

    def __init__(self, detach, attach, enis, instance):
        self.detach = detach
        self.attach = attach
        self.enis = enis
        self.instance = instance

    @property
    def problems(self):
        return self.detach.problems + self.attach.problems

    @property
    def warnings(self):
        return list(dict.fromkeys(self.detach.warnings + self.attach.warnings))

    @property
    def changed(self):
        return self.detach.changed or self.attach.changed


def plan_change(api, instance_id, attach=(), detach=(), window=False, enis=None, read_id=None, instances=None,
                instances_read_id=None):
    """Read what the change needs, plan it and check every rule; returns a ChangePlan.

    `window`: the change is one stop/start window (ens_eni_plan, ens_eni_batch): the power rule is left to whoever
    stops the instance, and the instance is checked even when only ENIs are detached. Otherwise the calls need the
    instance Stopped now (ens_eni_attach, ens_eni_detach). `enis` (by id, read with request `read_id`) and
    `instances` (by id, read with request `instances_read_id`) skip reads already made; an instance absent from a
    given `instances` does not exist.
    The instances are read only when a call is needed: a run with nothing to do makes one API call.
    """
    attach, detach = list(attach), list(detach)
    if enis is None:
        listing = api.describe_network_interfaces(detach + attach) if detach + attach else None
        enis = dict((eni["NetworkInterfaceId"], eni) for eni in listing or [])
        read_id = listing.request_id if listing is not None else None
    detach_plan = plan_detach(instance_id, detach, enis, read_id)
    attach_plan = plan_attach(instance_id, attach, enis, read_id)
    plan = ChangePlan(detach_plan, attach_plan, enis, None)
    if not plan.changed:
        if instances is not None:
            plan.instance = instances.get(instance_id)
        return plan
    involved = list(dict.fromkeys(detach_plan.involved_instance_ids() + ([instance_id] if instance_id else [])))
    instance_read_id = instances_read_id
    if instances is None:
        listing = api.describe_instances(involved)
        instances, instance_read_id = dict((item["InstanceId"], item) for item in listing), listing.request_id
    plan.instance = instances.get(instance_id)
    check_detach_instances(detach_plan, instances, instance_read_id, require_stopped=not window)
    if attach or window:
        check_attach_instance(attach_plan, plan.instance, instance_read_id, require_stopped=not window,
                              freed=detach_plan.changes)
    return plan
