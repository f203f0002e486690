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
  - alibabacloud.ens.common
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Makes only read calls, in check mode as in a real run.
  diff_mode:
    support: none
  action_group:
    support: full
    membership:
      - alibabacloud.ens.ens
  platform:
    platforms: all
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
  description: The matching ENIs, with the API's field names in snake_case. Empty when nothing matches.
  returned: success
  type: list
  elements: dict
  sample:
    - network_interface_id: eni-58z57orgmt6d1xxxx
      network_interface_name: web-1-data
      status: InUse
      type: Secondary
      instance_id: i-5p67acfmxazb4pxxxx
      ens_region_id: cn-tianjin-cmcc
      network_id: n-5sax03dh2eyagujgsn7z9xxxx
      vswitch_id: vsw-5s78haoys9oylle6ln71mxxxx
      primary_ip: 192.168.2.15
      mac_address: "00:16:3e:12:34:56"
      security_group_ids:
        - sg-5p1fg655nh68xyz9ixxxx
      private_ip_sets:
        - private_ip_address: 192.168.2.15
          primary: true
error_code:
  description: The API error code of the failed call.
  returned: when an API call fails
  type: str
  sample: SignatureDoesNotMatch
request_id:
  description: The request id of the failed API call.
  returned: when an API call fails
  type: str
  sample: 0CC5E7F4-2B13-5D29-9C4E-8E8D6C6E1C31
action:
  description: The ENS API action of the failed call.
  returned: when an API call fails
  type: str
  sample: DescribeNetworkInterfaces
resource:
  description: The resource (or resources) the failed call was about.
  returned: when an API call fails
  type: str
  sample: eni-58z57orgmt6d1xxxx
http_status:
  description: The HTTP status of the failed call's answer; absent when no answer came (connection errors).
  returned: when an API call fails with an answer
  type: int
  sample: 400
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
