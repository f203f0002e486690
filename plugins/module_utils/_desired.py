# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Exclusive mode (desired state): a declared set of secondary ENIs against what an instance has. Pure, unit-tested."""

from __future__ import annotations

# An ENI in one of these states, listed on an instance, counts as attached to it; a Detaching one is on its way out.
ATTACHED_STATUSES = ("InUse", "Attaching")


def exclusive_input_problems(instance_id, attach, detach, allow_empty):
    """Why an exclusive plan is refused before any API call: an explicit detach list, or an unconfirmed empty set."""
    problems = []
    if detach:
        problems.append(
            "detach (%s) cannot be combined with exclusive: with exclusive, attach is the exact set of secondary ENIs "
            "instance %s must end with and every other secondary ENI is detached; remove detach "
            "(eni_change_detach in the eni_change role)" % (", ".join(detach), instance_id))
    elif not attach and not allow_empty:
        problems.append(
            "exclusive with an empty attach list means instance %s must end with no secondary ENI at all, "
            "detaching every one it has; set allow_empty=true (eni_change_allow_empty in the eni_change role) "
            "if that is what you want" % instance_id)
    return problems


def is_primary_of(eni, instance_id):
    return eni.get("Type") == "Primary" and (eni.get("InstanceId") or "") == instance_id


def current_secondaries(instance_id, enis):
    """Sorted ids of the secondary ENIs attached to `instance_id` (InUse or Attaching), from ENIs as read."""
    return sorted(
        eni_id for eni_id, eni in enis.items()
        if (eni.get("InstanceId") or "") == instance_id and eni.get("Type") != "Primary"
        and eni.get("Status") in ATTACHED_STATUSES)


def plan_exclusive(instance_id, desired_ids, enis):
    """The exclusive plan of `instance_id`: its current and desired secondary ENIs, and the ones to detach.

    `enis` maps ids to ENIs as read (at least those listed on the instance). `detach` is every attached
    secondary ENI that is not desired, in id order; the instance's primary ENI is never in it, and is left
    out of `desired` when listed there (it is always attached and is no secondary ENI).
    """
    current = current_secondaries(instance_id, enis)
    wanted = set(desired_ids)
    desired = sorted(eni_id for eni_id in wanted if not is_primary_of(enis.get(eni_id) or {}, instance_id))
    detach = [eni_id for eni_id in current if eni_id not in wanted]
    return {"current": current, "desired": desired, "detach": detach}
