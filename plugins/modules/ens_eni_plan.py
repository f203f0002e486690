#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_eni_plan
short_description: Plan and validate an ENI change on an ENS instance without touching it
version_added: 1.0.0
description:
  - Reads an Alibaba Cloud ENS instance and the ENIs to detach from it and attach to it, works out which
    calls a maintenance window would need, and checks every rule of the whole change at once, before the
    instance is stopped.
  - The rules are those of M(alibabacloud.ens.ens_eni_attach) and M(alibabacloud.ens.ens_eni_detach), except
    that the instance need not be C(Stopped) yet; the 10-ENI limit counts the detaches first.
  - Fails, listing every problem, when the change cannot succeed. Never makes a mutating call.
  - An instance C(Expired) or C(Releasing) never leaves that status by itself, so the change is refused
    (C(InvalidOperation.InvalidEnsStatus)), naming it. C(Creating), C(Stopping) and C(Starting) are accepted (the
    maintenance window waits for them); a status the collection does not know is accepted with a warning.
  - Reads the ENIs with one API call, and the instance with a second one only when something must change.
  - With O(exclusive=true), O(attach) is the exact set of secondary ENIs the instance must end with (its desired
    state); the plan also reads the ENIs attached to the instance (C(DescribeNetworkInterfaces) by C(InstanceId))
    and detaches every secondary ENI that is not in O(attach). The primary ENI is never detached. The result
    then carries the instance's RV(current) and RV(desired) sets of secondary ENIs, to show drift.
  - The roles C(alibabacloud.ens.eni_change), C(alibabacloud.ens.eni_attach) and C(alibabacloud.ens.eni_detach)
    use it to refuse a change before they stop anything.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  instance_id:
    description: ID of the ENS instance.
    type: str
    required: true
  attach:
    description: IDs of the ENIs that must end up attached to the instance.
    type: list
    elements: str
    default: []
  detach:
    description:
      - IDs of the ENIs that must end up detached from the instance. An ENI attached to another instance is
        left alone, with a warning.
    type: list
    elements: str
    default: []
  exclusive:
    description:
      - Treat O(attach) as the exact set of secondary ENIs the instance must end with, and plan the detach of every
        other secondary ENI attached to it. The instance's primary ENI is never detached.
      - Cannot be combined with O(detach), which it computes itself; that is refused before any API call.
      - An empty O(attach) then means "no secondary ENI at all", which is refused unless O(allow_empty=true).
    type: bool
    version_added: 2.0.0
    default: false
  allow_empty:
    description:
      - With O(exclusive=true) and an empty O(attach), plan the detach of every secondary ENI of the instance.
        Without it that plan is refused before any API call, since an empty list is more often a mistake.
    type: bool
    version_added: 2.0.0
    default: false
extends_documentation_fragment:
  - alibabacloud.ens.common.options
  - alibabacloud.ens.common.modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Makes only read calls, in check mode as in a real run.
  diff_mode:
    support: partial
    details: With O(exclusive=true), returns the current and desired sets of secondary ENIs as C(diff).
seealso:
  - module: alibabacloud.ens.ens_eni_attach
  - module: alibabacloud.ens.ens_eni_detach
"""

EXAMPLES = r"""
- name: Check that eni-new can replace eni-old on the instance, before stopping it
  alibabacloud.ens.ens_eni_plan:
    instance_id: i-5p67acfmxazb4pxxxx
    detach: [eni-58z57orgmt6d1xxxx]
    attach: [eni-58z57orgmt6d2xxxx]
  register: plan

- name: Plan the exact set of secondary ENIs the instance must end with (every other secondary ENI is detached)
  alibabacloud.ens.ens_eni_plan:
    instance_id: i-5p67acfmxazb4pxxxx
    attach: [eni-58z57orgmt6d2xxxx, eni-58z57orgmt6d3xxxx]
    exclusive: true
  register: desired_plan

- name: Stop the instance only when something must change
  alibabacloud.ens.ens_instance_power:
    instance_id: i-5p67acfmxazb4pxxxx
    state: stopped
  when: plan.needs_change
"""

RETURN = r"""
needs_change:
  description: Whether any ENI must be attached or detached.
  returned: success
  type: bool
  sample: true
to_attach:
  description: The ENIs an attach call (or a wait, then an attach call) is needed for.
  returned: success
  type: list
  elements: str
  sample: [eni-58z57orgmt6d2xxxx]
to_detach:
  description: The ENIs a detach call (or a wait, then a detach call) is needed for.
  returned: success
  type: list
  elements: str
  sample: [eni-58z57orgmt6d1xxxx]
current:
  description:
    - The secondary ENIs attached to the instance (C(InUse) or C(Attaching)) when it was read, sorted.
  returned: when O(exclusive=true)
  type: list
  elements: str
  sample: [eni-58z57orgmt6d1xxxx, eni-58z57orgmt6d2xxxx]
desired:
  description:
    - The secondary ENIs the instance must end with (O(attach) without the instance's primary ENI), sorted.
      The instance is in line with its desired state when nothing is to attach or detach.
  returned: when O(exclusive=true)
  type: list
  elements: str
  sample: [eni-58z57orgmt6d2xxxx, eni-58z57orgmt6d3xxxx]
check_mode:
  description:
    - Whether the task ran in check mode, set on the command line or on the task. The roles read it to skip the
      maintenance window, since C(ansible_check_mode) reflects only the command line.
  returned: success
  type: bool
  sample: false
instance_status:
  description: The status of the instance, read only when something must change; null otherwise.
  returned: success
  type: str
  sample: Running
network_interfaces:
  description:
    - The ENIs named in O(attach) and O(detach) (with O(exclusive=true), in O(attach) and RV(to_detach)), as read
      before any change, with the keys of RV(alibabacloud.ens.ens_eni_info#module:network_interfaces); the plan
      rests on those below.
  returned: success
  type: list
  elements: dict
  contains:
    network_interface_id:
      description: ID of the ENI.
      type: str
      sample: eni-58z57orgmt6d1xxxx
    status:
      description: Status of the ENI when it was read.
      type: str
      sample: InUse
    type:
      description: V(Primary) or V(Secondary); a primary ENI is never detached.
      type: str
      sample: Secondary
    instance_id:
      description: The instance the ENI was attached to when it was read; empty when V(Available).
      type: str
      sample: i-5p67acfmxazb4pxxxx
    ens_region_id:
      description: The ENS zone of the ENI, which must be the instance's to attach it.
      type: str
      sample: cn-tianjin-cmcc
    network_id:
      description: The network of the ENI, which must be the instance's to attach it.
      type: str
      sample: n-5sax03dh2eyagujgsn7z9xxxx
"""

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import EnsModule
from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import check_ids, to_snake
from ansible_collections.alibabacloud.ens.plugins.module_utils._desired import exclusive_input_problems, plan_exclusive
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsInputError
from ansible_collections.alibabacloud.ens.plugins.module_utils._planning import EnsPreconditionError, Problem, plan_change


class EnsEniPlan(EnsModule):
    mutating = False
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        attach=dict(type="list", elements="str", default=[]),
        detach=dict(type="list", elements="str", default=[]),
        exclusive=dict(type="bool", default=False),
        allow_empty=dict(type="bool", default=False),
    )

    def read_exclusive(self, instance_id, desired_ids):
        """Exclusive mode's reads: the ENIs on the instance, then the desired ones not among them.

        Returns (plan_exclusive's dict, ENIs by id, the request id of their read, the instance when it had to be
        read to prove it exists, and the request id of that read).
        """
        listing = self.api.describe_network_interfaces(instance_id=instance_id)
        enis, read_id = dict((eni["NetworkInterfaceId"], eni) for eni in listing), listing.request_id
        state = plan_exclusive(instance_id, desired_ids, enis)
        missing = [eni_id for eni_id in desired_ids if eni_id not in enis]
        if missing:
            listing = self.api.describe_network_interfaces(missing)
            enis.update((eni["NetworkInterfaceId"], eni) for eni in listing)
            read_id = listing.request_id
            state = plan_exclusive(instance_id, desired_ids, enis)
        instance = instance_read_id = None
        if not any(eni.get("Type") == "Primary" for eni in enis.values() if (eni.get("InstanceId") or "") == instance_id):
            # Every instance has a primary ENI: none listed means the instance may not exist; ask, never assume.
            found = self.api.describe_instances([instance_id])
            instance, instance_read_id = (found[0] if found else None), found.request_id
            if instance is None:
                raise EnsPreconditionError(
                    "Cannot converge the ENIs of instance %s; nothing was stopped or changed: the instance does not exist"
                    % instance_id, errors=[Problem(instance_id, "the instance does not exist", "InstanceNotFound",
                                                   instance_read_id).as_dict()])
        return state, enis, read_id, instance, instance_read_id

    def run(self):
        params = self.module.params
        instance_id, to_attach, to_detach = params["instance_id"], params["attach"], params["detach"]
        problems = check_ids([instance_id], "instance_id", "i")
        problems += check_ids(to_attach, "attach", "eni") + check_ids(to_detach, "detach", "eni")
        both = sorted(set(to_attach) & set(to_detach))
        if both:
            problems.append("%s listed in both attach and detach" % ", ".join(both))
        if params["exclusive"]:
            problems += exclusive_input_problems(instance_id, to_attach, to_detach, params["allow_empty"])
        if problems:
            raise EnsInputError(problems)

        exclusive = enis = read_id = instances = instances_read_id = None
        if params["exclusive"]:
            exclusive, enis, read_id, instance, instances_read_id = self.read_exclusive(instance_id, to_attach)
            to_detach = exclusive["detach"]
            instances = {instance_id: instance} if instance else None
        wanted = to_detach + to_attach
        plan = plan_change(self.api, instance_id, attach=to_attach, detach=to_detach, window=True, enis=enis,
                           read_id=read_id, instances=instances, instances_read_id=instances_read_id)
        enis, instance, detach_plan, attach_plan = plan.enis, plan.instance, plan.detach, plan.attach
        problems = plan.problems
        if problems:
            raise EnsPreconditionError(
                "Cannot change the ENIs of instance %s; nothing was stopped or changed: %s"
                % (instance_id, "; ".join(str(problem) for problem in problems)),
                errors=[problem.as_dict() for problem in problems])
        for warning in plan.warnings:
            self.module.warn(warning)
        self.result.update(
            needs_change=bool(detach_plan.changes or attach_plan.changes),
            check_mode=self.check_mode,
            to_attach=attach_plan.changes,
            to_detach=detach_plan.changes,
            instance_status=instance.get("Status") if instance else None,
            network_interfaces=[to_snake(enis[eni_id]) for eni_id in wanted if eni_id in enis],
        )
        if exclusive is not None:
            self.result.update(current=exclusive["current"], desired=exclusive["desired"])
            if self.module._diff:  # pylint: disable=protected-access
                self.result["diff"] = {"before": {"secondary_network_interface_ids": exclusive["current"]},
                                       "after": {"secondary_network_interface_ids": exclusive["desired"]}}


def main():
    EnsEniPlan.main()


if __name__ == "__main__":
    main()
