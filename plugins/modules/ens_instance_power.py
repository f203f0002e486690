#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_instance_power
short_description: Start, stop or restart ENS instances
version_added: 1.0.0
description:
  - Brings Alibaba Cloud ENS (Edge Node Service) instances to a power state and, by default, waits until
    they are there.
  - Transitional states are progress, not failure. Asked O(state=stopped), an instance C(Stopping) is waited for
    and one C(Starting) or C(Creating) is waited for until C(Running), then stopped. Asked O(state=running), an
    instance C(Starting) or C(Creating) is waited for and one C(Stopping) is waited for until C(Stopped), then
    started. A status the module does not know is waited for, never taken as done; it is named in a warning and,
    if the wait runs out, in the timeout message.
  - An instance C(Expired) (a prepaid instance past its term, which only a renewal clears) or C(Releasing) never
    leaves that status by itself. The task fails at once, naming each such instance and its status, with no
    mutating call for any instance, in check mode too.
  - O(state=restarted) reboots a running instance and starts a stopped one. It returns only after the reboot
    happened; a read must show the instance C(Stopping), C(Stopped) or C(Starting), then C(Running) again. If
    no read shows such a status within 30 seconds of the accepted reboot call (a reboot faster than the polls,
    or hidden by read lag), the reboot is taken as done with a warning naming its request id, since the API
    accepts a reboot only from C(Running) and such a reboot cannot be told from none by reading.
  - Reads may lag an accepted call. For 30 seconds after a stop or start call was accepted, an instance still
    read in the status it had before (C(Running) after a stop, C(Stopped) after a start) is "not yet" (half a
    minute is ten times the few seconds an eventually consistent read usually lags, and a tenth of the default
    O(wait_timeout)); after that the task fails, saying that the call was accepted, with its request id, and
    what was read. An instance read anywhere unexpected (for example back to C(Running) after C(Stopping))
    fails the task at once.
  - A call refused for the instance's state (C(IncorrectInstanceStatus)) while reads show another change under
    way is made again, if still needed, once that change settles, within O(wait_timeout); a refusal that no change
    explains is reported after 30 seconds of reads that still show the status it was refused in. A throttled
    call is made again at the next poll, so throttling alone never fails the task while O(wait_timeout) remains.
  - Several instances get their calls back to back, then are waited for together with one API call per poll.
  - A run with nothing to do makes exactly one API call.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  instance_id:
    description:
      - ID of the instance, for example C(i-5p67acfmxazb4pxxxx).
      - Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of the instances. Duplicates are refused.
      - Exactly one of O(instance_id) and O(instance_ids) is required.
    type: list
    elements: str
  state:
    description: The power state to bring the instances to.
    type: str
    required: true
    choices: [running, stopped, restarted]
  force_stop:
    description:
      - Stop (or reboot) without waiting for the operating system to shut down, like pulling the power cord.
        Data not yet written to disk can be lost.
    type: bool
    default: false
  wait:
    description:
      - Wait until every instance is in the requested state before returning.
      - The first poll comes within half a second, then the interval grows with the time already waited,
        up to 3.5 seconds. A throttled or failed poll counts as "not yet", never as done, and is not retried
        on its own, so throttling never stretches a wait past O(wait_timeout).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true). On timeout the task fails, naming each instance and the
        last status seen for it.
    type: int
    default: 600
extends_documentation_fragment:
  - alibabacloud.ens.common.options
  - alibabacloud.ens.common.modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Makes no mutating API call, and reports changed when a real run would make a call.
  diff_mode:
    support: full
    details: Shows the C(status) of each instance before and after.
seealso:
  - module: alibabacloud.ens.ens_eni_attach
  - module: alibabacloud.ens.ens_eni_detach
"""

EXAMPLES = r"""
- name: Stop an instance before changing its ENIs
  alibabacloud.ens.ens_instance_power:
    instance_id: i-5p67acfmxazb4pxxxx
    state: stopped
  register: stopped

- name: Bring it back to the status it had
  alibabacloud.ens.ens_instance_power:
    instance_id: i-5p67acfmxazb4pxxxx
    state: "{{ 'running' if stopped.instances[0].previous_status in ['Running', 'Starting'] else 'stopped' }}"

- name: Restart three instances together, waiting up to 15 minutes
  alibabacloud.ens.ens_instance_power:
    instance_ids:
      - i-5p67acfmxazb4pxxxx
      - i-5p67acfmxazb5pxxxx
      - i-5p67acfmxazb6pxxxx
    state: restarted
    wait_timeout: 900
"""

RETURN = r"""
instances:
  description:
    - The instances asked for, in the order given, as they stand at the end (in check mode, as a real run would
      leave them), each the API's C(DescribeInstances) entry with snake_case keys and the API's list wrappers
      removed, plus RV(instances[].previous_status).
    - A key the API leaves out of an entry is absent from it; the API may add others (disks, public addresses, tags).
  returned: success
  type: list
  elements: dict
  contains:
    instance_id:
      description: ID of the instance.
      type: str
      sample: i-5p67acfmxazb4pxxxx
    instance_name:
      description: Name of the instance.
      type: str
      sample: web-1
    host_name:
      description: Host name of the instance.
      type: str
      sample: web-1
    status:
      description:
        - The status at the end, V(Running) or V(Stopped) after a wait (V(Running) after O(state=restarted)).
        - With O(wait=false), the status last read once the call was accepted, which may still be the status before
          it or a transitional one such as V(Stopping).
      type: str
      sample: Stopped
    previous_status:
      description: The status the instance had when the task began.
      type: str
      sample: Running
    ens_region_id:
      description: The ENS zone of the instance.
      type: str
      sample: cn-tianjin-cmcc
    spec_name:
      description: The instance type.
      type: str
      sample: ens.sn1.stiny
    instance_resource_type:
      description: The kind of resource, as the API names it.
      type: str
      sample: EnsInstance
    image_id:
      description: The image the instance runs.
      type: str
      sample: m-5wsimulatorcentos79
    os_name:
      description: The operating system of the image.
      type: str
      sample: CentOS 7.9 64 bit
    cpu:
      description: Number of vCPUs.
      type: int
      sample: 1
    memory:
      description: Memory size in MB.
      type: int
      sample: 1024
    creation_time:
      description: When the instance was created (UTC, ISO 8601).
      type: str
      sample: "2024-03-01T08:00:00Z"
    network_attributes:
      description: The network of the instance.
      type: dict
      contains:
        network_id:
          description: The network (VPC).
          type: str
          sample: n-5sax03dh2eyagujgsn7z9xxxx
        vswitch_id:
          description: The vSwitch (the API's C(VSwitchId)).
          type: str
          sample: vsw-5s78haoys9oylle6ln71mxxxx
        private_ip_address:
          description: The private IP addresses of the instance in that network.
          type: list
          elements: str
          sample: [192.168.2.10]
    private_ip_addresses:
      description: The private IP addresses of the instance, each with its gateway.
      type: list
      elements: dict
      sample: [{ip: 192.168.2.10, gate_way: 192.168.2.1}]
    security_group_ids:
      description:
        - The security groups of the instance.
      type: list
      elements: str
      sample: [sg-5p1fg655nh68xyz9ixxxx]
    network_interfaces:
      description:
        - The ENIs attached to the instance as C(DescribeInstances) lists them, each with C(network_interface_id),
          C(type), C(mac_address) and C(primary_ip_address). Their status is not in this answer (see
          M(alibabacloud.ens.ens_eni_info) for it).
      type: list
      elements: dict
      sample:
        - network_interface_id: eni-58z57orgmt6d0xxxx
          type: Primary
          mac_address: "00:16:3e:12:34:50"
          primary_ip_address: 192.168.2.10
request_ids:
  description: Request ids of the mutating API calls this run made, in order. Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E]
"""

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import EnsModule
from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import to_snake
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsInputError
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError
from ansible_collections.alibabacloud.ens.plugins.module_utils._power import (
    KNOWN_INSTANCE_STATUSES,
    TARGET_STATUS,
    PowerExecution,
    stuck_rule,
    will_change,
)


class EnsInstancePower(EnsModule):
    argument_spec = dict(
        instance_id=dict(type="str"),
        instance_ids=dict(type="list", elements="str"),
        state=dict(type="str", required=True, choices=["running", "stopped", "restarted"]),
        force_stop=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module_kwargs = dict(
        mutually_exclusive=[("instance_id", "instance_ids")],
        required_one_of=[("instance_id", "instance_ids")],
    )

    def run(self):
        params = self.module.params
        instance_ids = self.ids_from("instance_id", "instance_ids", "i")
        if params["wait_timeout"] < 0:
            raise EnsInputError(["wait_timeout must be 0 or more"])
        state = params["state"]
        listing = self.api.describe_instances(instance_ids)
        found = dict((item["InstanceId"], item) for item in listing)
        missing = [instance_id for instance_id in instance_ids if instance_id not in found]
        if missing:
            raise EnsError("Instance(s) %s do not exist; no change was made (InstanceNotFound)" % ", ".join(missing),
                           error_code="InstanceNotFound", request_id=listing.request_id)
        before = dict((instance_id, found[instance_id].get("Status")) for instance_id in instance_ids)
        stuck = ["%s: %s" % (instance_id, stuck_rule(status)) for instance_id, status in before.items() if stuck_rule(status)]
        if stuck:
            raise EnsError("Cannot bring the instances to %s; no change was made: %s (IncorrectInstanceStatus)"
                           % (TARGET_STATUS[state], "; ".join(stuck)), error_code="IncorrectInstanceStatus",
                           request_id=listing.request_id)
        if self.check_mode:
            self.result["changed"] = any(will_change(state, status) for status in before.values())
            for instance_id, status in before.items():
                if status not in KNOWN_INSTANCE_STATUSES:
                    self.module.warn("%s is %s, a status this module does not know: a real run would poll until it "
                                     "settles" % (instance_id, status))
            final = [dict(found[instance_id], Status=TARGET_STATUS[state]) for instance_id in instance_ids]
        else:
            execution = PowerExecution(self.api, self.record, self.waiter(), state, params["force_stop"],
                                       params["wait"], [found[instance_id] for instance_id in instance_ids],
                                       warn=self.module.warn)
            final = execution.run(instance_ids)
        self.result["instances"] = [dict(to_snake(item), previous_status=before[item["InstanceId"]]) for item in final]
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = {
                "before": dict((instance_id, {"status": status}) for instance_id, status in before.items()),
                "after": dict((item["InstanceId"], {"status": item.get("Status")}) for item in final),
            }


def main():
    EnsInstancePower.main()


if __name__ == "__main__":
    main()
