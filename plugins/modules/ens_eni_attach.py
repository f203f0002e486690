#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_eni_attach
short_description: Attach elastic network interfaces to an ENS instance
version_added: 1.0.0
description:
  - Attaches one or more secondary elastic network interfaces (ENIs) to an Alibaba Cloud ENS (Edge Node Service)
    instance and, by default, waits until each is C(InUse) on it.
  - Idempotent. An ENI already C(InUse) on the instance is left alone; one C(Attaching) to it is waited for;
    one C(Detaching) is waited for until C(Available), then attached.
  - An ENI C(InUse) or C(Attaching) on another instance is never moved; the task fails, naming that instance.
  - Before any change, every precondition is checked for all ENIs at once, and the task fails listing every
    problem with no change made. The instance must exist and be C(Stopped) (the M(alibabacloud.ens.ens_instance_power)
    module or the C(alibabacloud.ens.eni_attach) role stop it);
    each ENI must exist, be a C(Secondary) ENI, and be in the same zone (C(ens_region_id)) and network (C(network_id))
    as the instance; the instance can hold at most 10 ENIs, counting those already attached.
  - Several ENIs are attached with back-to-back API calls, then waited for together in one loop that reads
    them all with one API call per poll.
  - A run with nothing to do makes exactly one API call.
  - An instance C(Expired) or C(Releasing) never leaves that status by itself; the task fails before any call,
    naming it. Any other status but C(Stopped) is refused as above.
  - Reads may lag an accepted call. For 30 seconds after an attach call was accepted, an ENI still read
    C(Available) is "not yet" (half a minute is ten times the few seconds an eventually consistent read
    usually lags, and a tenth of the default O(wait_timeout)); after that the task fails, saying that the call
    was accepted, with its request id, and what was read. An ENI read anywhere else than C(Attaching) or
    C(InUse) on the instance fails the task at once.
  - If the API refuses an attach for the instance's or the ENI's state (C(InvalidOperation.InvalidEnsStatus),
    C(InvalidOperation.InvalidEniStatus)) while another ENI operation of the task on the instance is under way,
    the call is made again once that operation settles, and the remaining ENIs of that instance are then
    attached one at a time, all within O(wait_timeout). A refusal that no change under way explains (an
    operation this task cannot see may) is asked again 1, 2, 4 and 8 seconds later, then reported after 30 seconds
    of reads that still show the ENI attachable. A throttled call is made again at
    the next poll, so throttling alone never fails the task while O(wait_timeout) remains.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  network_interface_id:
    description:
      - ID of the ENI to attach, for example C(eni-58z57orgmt6d1xxxx).
      - Exactly one of O(network_interface_id) and O(network_interface_ids) is required.
    type: str
  network_interface_ids:
    description:
      - IDs of the ENIs to attach. Duplicates are refused.
      - Exactly one of O(network_interface_id) and O(network_interface_ids) is required.
    type: list
    elements: str
  instance_id:
    description:
      - ID of the ENS instance, for example C(i-5p67acfmxazb4pxxxx).
    type: str
    required: true
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
  - module: alibabacloud.ens.ens_eni_detach
  - module: alibabacloud.ens.ens_eni_info
  - module: alibabacloud.ens.ens_instance_power
"""

EXAMPLES = r"""
- name: Attach two ENIs to a stopped instance and wait until they are InUse
  alibabacloud.ens.ens_eni_attach:
    instance_id: i-5p67acfmxazb4pxxxx
    network_interface_ids:
      - eni-58z57orgmt6d1xxxx
      - eni-58z57orgmt6d2xxxx

- name: Set credentials once for every module of the collection
  module_defaults:
    group/alibabacloud.ens.ens:
      access_key_id: "{{ vault_ens_access_key_id }}"
      access_key_secret: "{{ vault_ens_access_key_secret }}"
  block:
    - name: Stop the instance
      alibabacloud.ens.ens_instance_power:
        instance_id: i-5p67acfmxazb4pxxxx
        state: stopped

    - name: Attach one ENI without waiting for it
      alibabacloud.ens.ens_eni_attach:
        instance_id: i-5p67acfmxazb4pxxxx
        network_interface_id: eni-58z57orgmt6d1xxxx
        wait: false
      register: attached

    - name: Show the request ids of the calls made
      ansible.builtin.debug:
        var: attached.request_ids

- name: See what would change, without changing anything
  alibabacloud.ens.ens_eni_attach:
    instance_id: i-5p67acfmxazb4pxxxx
    network_interface_id: eni-58z57orgmt6d1xxxx
  check_mode: true
  diff: true
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
      description: V(InUse), or V(Attaching) for an ENI just attached with O(wait=false).
      type: str
      sample: InUse
    instance_id:
      description: The instance, O(instance_id).
      type: str
      sample: i-5p67acfmxazb4pxxxx
request_ids:
  description: Request ids of the mutating API calls this run made, in order. Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E]
"""

from ansible_collections.alibabacloud.ens.plugins.module_utils._eni import EniChangeModule
from ansible_collections.alibabacloud.ens.plugins.module_utils._planning import ATTACH


class EnsEniAttach(EniChangeModule):
    operation = ATTACH
    argument_spec = dict(
        network_interface_id=dict(type="str"),
        network_interface_ids=dict(type="list", elements="str"),
        instance_id=dict(type="str", required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )


def main():
    EnsEniAttach.main()


if __name__ == "__main__":
    main()
