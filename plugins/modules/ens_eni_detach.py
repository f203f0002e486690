#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_eni_detach
short_description: Detach elastic network interfaces from ENS instances
version_added: 1.0.0
description:
  - Detaches one or more secondary elastic network interfaces (ENIs) from Alibaba Cloud ENS (Edge Node Service)
    instances and, by default, waits until each is C(Available).
  - Idempotent. An ENI already C(Available) is left alone; one C(Detaching) is waited for; one C(Attaching) is
    waited for until C(InUse), then detached.
  - With O(instance_id), only ENIs attached to that instance are detached; an ENI attached elsewhere is left
    alone with a warning.
  - Before any change, every precondition is checked for all ENIs at once, and the task fails listing every
    problem with no change made. Each ENI must exist and be a C(Secondary) ENI (a primary ENI is never detached);
    the instance it is attached to must be C(Stopped) (the M(alibabacloud.ens.ens_instance_power) module or the
    C(alibabacloud.ens.eni_detach) role stop it).
  - Several ENIs are detached with back-to-back API calls, then waited for together in one loop that reads
    them all with one API call per poll.
  - A run with nothing to do makes exactly one API call.
  - An instance C(Expired) or C(Releasing) never leaves that status by itself; the task fails before any call,
    naming it.
  - Reads may lag an accepted call. For 30 seconds after a detach call was accepted, an ENI still read
    C(InUse) is "not yet" (half a minute is ten times the few seconds an eventually consistent read
    usually lags, and a tenth of the default O(wait_timeout)); after that the task fails, saying that the call
    was accepted, with its request id, and what was read. An ENI read anywhere else than C(Detaching) or
    C(Available) fails the task at once.
  - If the API refuses a detach for the instance's or the ENI's state (C(InvalidOperation.InvalidEnsStatus),
    C(InvalidOperation.InvalidEniStatus)) while another ENI operation of the task on the same instance is under
    way, the call is made again once that operation settles, and the remaining ENIs of that instance are then
    detached one at a time, all within O(wait_timeout). A refusal that no change under way explains (an
    operation this task cannot see may) is asked again 1, 2, 4 and 8 seconds later, then reported after 30 seconds
    of reads that still show the ENI detachable. A throttled call is made again at
    the next poll, so throttling alone never fails the task while O(wait_timeout) remains.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  network_interface_id:
    description:
      - ID of the ENI to detach, for example C(eni-58z57orgmt6d1xxxx).
      - Exactly one of O(network_interface_id) and O(network_interface_ids) is required.
    type: str
  network_interface_ids:
    description:
      - IDs of the ENIs to detach. Duplicates are refused.
      - Exactly one of O(network_interface_id) and O(network_interface_ids) is required.
    type: list
    elements: str
  instance_id:
    description:
      - Detach the ENIs only from this instance. An ENI attached to another instance is left alone, with a warning.
      - When not set, each ENI is detached from whatever instance holds it.
    type: str
extends_documentation_fragment:
  - alibabacloud.ens.common.options
  - alibabacloud.ens.common.modules
  - alibabacloud.ens.common.wait
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details:
      - Makes no mutating API call.
      - Reports changed exactly when a real run would change something, and fails when a precondition would fail.
  diff_mode:
    support: full
    details: Shows C(status) and C(instance_id) of each ENI before and after.
seealso:
  - module: alibabacloud.ens.ens_eni_attach
  - module: alibabacloud.ens.ens_eni_info
  - module: alibabacloud.ens.ens_instance_power
"""

EXAMPLES = r"""
- name: Detach two ENIs from a stopped instance and wait until they are Available
  alibabacloud.ens.ens_eni_detach:
    instance_id: i-5p67acfmxazb4pxxxx
    network_interface_ids:
      - eni-58z57orgmt6d1xxxx
      - eni-58z57orgmt6d2xxxx

- name: Detach an ENI from whichever instance holds it, without waiting
  alibabacloud.ens.ens_eni_detach:
    network_interface_id: eni-58z57orgmt6d1xxxx
    wait: false

- name: See what would change, without changing anything
  alibabacloud.ens.ens_eni_detach:
    network_interface_id: eni-58z57orgmt6d1xxxx
  check_mode: true
  diff: true
  register: planned

- name: Report the plan
  ansible.builtin.debug:
    msg: "{{ planned.diff }}"
"""

RETURN = r"""
network_interfaces:
  description:
    - The ENIs asked for, in the order given, as they stand at the end (in check mode, as a real run would leave
      them), with the keys of RV(alibabacloud.ens.ens_eni_info#module:network_interfaces); the two below are those
      this module changes.
  returned: success
  type: list
  elements: dict
  contains:
    status:
      description: V(Available), or V(Detaching) for an ENI just detached with O(wait=false).
      type: str
      sample: Available
    instance_id:
      description: Empty once the ENI is detached; the instance it leaves while V(Detaching).
      type: str
      sample: ""
request_ids:
  description: Request ids of the mutating API calls this run made, in order. Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E]
"""

from ansible_collections.alibabacloud.ens.plugins.module_utils._eni import EniChangeModule
from ansible_collections.alibabacloud.ens.plugins.module_utils._planning import DETACH


class EnsEniDetach(EniChangeModule):
    operation = DETACH
    argument_spec = dict(
        network_interface_id=dict(type="str"),
        network_interface_ids=dict(type="list", elements="str"),
        instance_id=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )


def main():
    EnsEniDetach.main()


if __name__ == "__main__":
    main()
