#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name, on the controller; this file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_eni_batch_result
short_description: Give each host its own outcome of an ENI batch run by ens_eni_batch
version_added: 2.1.0
description:
  - Takes the registered result of one M(alibabacloud.ens.ens_eni_batch) task, which changed the ENIs of many ENS
    instances in one module run, and returns the outcome of one instance as this host's task result, so that the
    per-host lines and the play recap stay per host.
  - The task is C(changed) when the instance changed (or would, in check mode), and C(failed), with the instance's
    own error as C(msg) (what failed, the API error code, the request id and what the rollback did), when its change
    failed or was refused. Only that host fails; the other hosts of the batch keep their own outcome.
  - When the batch has no outcome for the instance (the module failed as a whole, for example on bad credentials),
    the task fails with the batch's message.
  - Runs on the controller and makes no API call. The C(alibabacloud.ens.eni_change) role uses it when
    C(eni_change_batch) is on.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  batch:
    description:
      - The result of an M(alibabacloud.ens.ens_eni_batch) task, as registered (it may have failed).
    type: dict
    required: true
  instance_id:
    description:
      - The instance whose outcome this host gets; a key of the batch's C(outcomes).
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what the batch would change, as the batch did in check mode.
  diff_mode:
    support: full
    details: Returns the instance's C(diff) from the batch (its ENIs and status before and after).
  platform:
    platforms: all
notes:
  - The action runs on the controller only; C(delegate_to) has no effect on it.
seealso:
  - module: alibabacloud.ens.ens_eni_batch
"""

EXAMPLES = r"""
- name: Change the ENIs of every instance of the batch in one module run
  alibabacloud.ens.ens_eni_batch:
    changes: >-
      {{ ansible_play_batch | map('extract', hostvars) | map(attribute='eni_change_item') | list }}
  delegate_to: localhost
  run_once: true
  register: batch_run
  failed_when: false

- name: Give each host its own outcome (changed, or failed with its own error)
  alibabacloud.ens.ens_eni_batch_result:
    batch: "{{ batch_run }}"
    instance_id: "{{ ens_instance_id }}"
  register: outcome
"""

RETURN = r"""
instance_id:
  description: The instance of this host.
  returned: always
  type: str
  sample: i-5p67acfmxazb4pxxxx
eni_change_result:
  description:
    - The instance's outcome from the batch's C(outcomes), as M(alibabacloud.ens.ens_eni_batch) documents it
      (C(changed), C(failed), C(refused), C(error), C(error_code), C(request_id), C(errors), C(previous_status),
      C(status), C(final_state), C(to_detach), C(to_attach), C(detached), C(attached), C(journal), C(rollback),
      C(diff)); an empty dictionary when the batch has none.
  returned: always
  type: dict
  sample:
    instance_id: i-5p67acfmxazb4pxxxx
    changed: true
    failed: false
    refused: false
    error: ""
    previous_status: Running
    status: Running
    final_state: running
    detached: [eni-58z57orgmt6d1xxxx]
    attached: [eni-58z57orgmt6d2xxxx]
error_code:
  description: The API error code of the instance's failure.
  returned: when the instance's change failed with an API error
  type: str
  sample: IncorrectInstanceStatus
request_id:
  description: The request id of the API call that failed.
  returned: when the instance's change failed with an API error
  type: str
  sample: 5C4D6F8E-0A1B-4C2D-9E3F-112233445566
"""
