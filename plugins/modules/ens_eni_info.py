#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_eni_info
short_description: List elastic network interfaces of ENS
version_added: 1.0.0
description:
  - Lists the elastic network interfaces (ENIs) of Alibaba Cloud ENS (Edge Node Service) that match every
    filter given, following every page of results.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  network_interface_ids:
    description:
      - Only these ENIs. More than 100 are read 100 per API call.
    type: list
    elements: str
  instance_id:
    description: Only ENIs attached to this instance.
    type: str
  ens_region_id:
    description: Only ENIs in this ENS zone, for example C(cn-tianjin-cmcc).
    type: str
  network_id:
    description: Only ENIs in this network (VPC).
    type: str
  status:
    description: Only ENIs in this status.
    type: str
    choices: [Available, Attaching, InUse, Detaching, Deleting]
  type:
    description: Only primary or only secondary ENIs.
    type: str
    choices: [Primary, Secondary]
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
    support: none
seealso:
  - module: alibabacloud.ens.ens_eni_attach
  - module: alibabacloud.ens.ens_eni_detach
"""

EXAMPLES = r"""
- name: List the ENIs attached to an instance
  alibabacloud.ens.ens_eni_info:
    instance_id: i-5p67acfmxazb4pxxxx
  register: attached

- name: Find free secondary ENIs in one network of one zone
  alibabacloud.ens.ens_eni_info:
    ens_region_id: cn-tianjin-cmcc
    network_id: n-5sax03dh2eyagujgsn7z9xxxx
    status: Available
    type: Secondary
  register: free

- name: Attach the first free one
  alibabacloud.ens.ens_eni_attach:
    instance_id: i-5p67acfmxazb4pxxxx
    network_interface_id: "{{ free.network_interfaces[0].network_interface_id }}"
  when: free.network_interfaces | length > 0
"""

RETURN = r"""
network_interfaces:
  description:
    - The matching ENIs, each the API's C(DescribeNetworkInterfaces) entry with snake_case keys and the API's list
      wrappers removed (C(security_group_ids) is a plain list). Empty when nothing matches.
    - A key the API leaves out of an entry is absent from it.
  returned: success
  type: list
  elements: dict
  contains:
    network_interface_id:
      description: ID of the ENI.
      type: str
      sample: eni-58z57orgmt6d1xxxx
    network_interface_name:
      description: Name of the ENI.
      type: str
      sample: web-1-data
    description:
      description: Description of the ENI; empty when none was set.
      type: str
      sample: data plane of web-1
    status:
      description: Status of the ENI, one of V(Available), V(Attaching), V(InUse), V(Detaching) and V(Deleting).
      type: str
      sample: InUse
    type:
      description: V(Primary) (the ENI an instance is created with, never detached) or V(Secondary).
      type: str
      sample: Secondary
    instance_id:
      description:
        - The instance the ENI is attached to, being attached to or being detached from; empty when it is
          V(Available).
      type: str
      sample: i-5p67acfmxazb4pxxxx
    ens_region_id:
      description: The ENS zone of the ENI.
      type: str
      sample: cn-tianjin-cmcc
    network_id:
      description: The network (VPC) of the ENI.
      type: str
      sample: n-5sax03dh2eyagujgsn7z9xxxx
    vswitch_id:
      description: The vSwitch of the ENI (the API's C(VSwitchId)).
      type: str
      sample: vsw-5s78haoys9oylle6ln71mxxxx
    primary_ip:
      description: The primary private IP address of the ENI.
      type: str
      sample: 192.168.2.15
    primary_ip_type:
      description: The type of the primary IP address, as the API names it.
      type: str
      sample: IPv4
    mac_address:
      description: The MAC address of the ENI.
      type: str
      sample: "00:16:3e:12:34:56"
    security_group_ids:
      description: The security groups of the ENI.
      type: list
      elements: str
      sample: [sg-5p1fg655nh68xyz9ixxxx]
    private_ip_sets:
      description: The private IP addresses of the ENI.
      type: list
      elements: dict
      contains:
        private_ip_address:
          description: A private IP address.
          type: str
          sample: 192.168.2.15
        primary:
          description: Whether it is the primary IP address.
          type: bool
          sample: true
    ipv6_sets:
      description: The IPv6 addresses of the ENI, each a dict with C(ipv6_address); empty when it has none.
      type: list
      elements: dict
      sample: [{ipv6_address: "2408:4005:3c3::1"}]
    creation_time:
      description: When the ENI was created (UTC, ISO 8601).
      type: str
      sample: "2024-03-01T08:00:00Z"
"""

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import EnsModule
from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import check_ids, to_snake
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsInputError


class EnsEniInfo(EnsModule):
    mutating = False
    argument_spec = dict(
        network_interface_ids=dict(type="list", elements="str"),
        instance_id=dict(type="str"),
        ens_region_id=dict(type="str"),
        network_id=dict(type="str"),
        status=dict(type="str", choices=["Available", "Attaching", "InUse", "Detaching", "Deleting"]),
        type=dict(type="str", choices=["Primary", "Secondary"]),
    )

    def run(self):
        params = self.module.params
        problems = []
        if params["network_interface_ids"] is not None:
            problems.extend(check_ids(params["network_interface_ids"], "network_interface_ids", "eni"))
        if params["instance_id"] is not None:
            problems.extend(check_ids([params["instance_id"]], "instance_id", "i"))
        if problems:
            raise EnsInputError(problems)
        if params["network_interface_ids"] == []:
            self.result["network_interfaces"] = []
            return
        found = self.api.describe_network_interfaces(
            params["network_interface_ids"],
            instance_id=params["instance_id"],
            ens_region_id=params["ens_region_id"],
            network_id=params["network_id"],
            status=params["status"],
            type=params["type"],
        )
        self.result["network_interfaces"] = [to_snake(eni) for eni in found]


def main():
    EnsEniInfo.main()


if __name__ == "__main__":
    main()
