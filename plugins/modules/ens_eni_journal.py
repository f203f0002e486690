#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_eni_journal
short_description: Read, write or close the journal of an ENI change window, trusting only a journal it could have written
version_added: 2.0.0
description:
  - The C(alibabacloud.ens.eni_change) role and M(alibabacloud.ens.ens_eni_batch) keep one small JSON file per
    instance while its stop/start window is open. It says the power state to come back to and the ENIs the window
    changes, so that a rollback, or the next run after a killed play, can finish or undo the change. This module
    is how the role reads, writes and closes that file, with the same rules, code and messages as
    M(alibabacloud.ens.ens_eni_batch).
  - Runs where the journals are kept (the role delegates it to C(eni_change_delegate_to)) and makes no API call.
  - A journal decides whether an instance is stopped, started or has its ENIs put back, so one is read only when
    its folder is a folder nobody but its owner can write to, and it is a regular file (not a link), owned by the
    user running the module, writable by nobody else, at most 64 KiB, a JSON object about O(instance_id) whose
    C(previous_status) is C(Running), C(Starting), C(Stopped) or C(Stopping) and whose C(to_detach) and
    C(to_attach) are lists of ENI IDs. Anything else fails the task, naming the file and the rule, and leaves the
    file and the folder as they are.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  instance_id:
    description:
      - The instance the journal is about; it names the file, C(<journal_dir>/<instance_id>.json), so it is checked
        (C(i-) and letters, digits and dashes only) before any path is built from it.
    type: str
    required: true
  journal_dir:
    description:
      - The folder of the journals. With O(state=present) it is made, mode C(0700), when it does not exist; its mode
        is never changed.
    type: path
    required: true
  state:
    description:
      - V(read) returns the journal of an unfinished window (V({}) when there is none).
      - V(present) opens the window's journal, written whole or not at all (a temporary file, then a rename).
      - V(absent) closes it once the instance is back to its power state.
    type: str
    choices: [read, present, absent]
    default: read
  previous_status:
    description:
      - With O(state=present), the status the instance had before the window, which it comes back to.
      - Required with O(state=present); a window opens only on an instance that is C(Running), C(Starting),
        C(Stopped) or C(Stopping).
    type: str
  to_detach:
    description: With O(state=present), the ENIs attached before the window that it detaches.
    type: list
    elements: str
    default: []
  to_attach:
    description: With O(state=present), the ENIs the window attaches.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads in check mode as in a real run; with O(state=present) or O(state=absent) writes nothing and reports
      whether it would have.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: alibabacloud.ens.ens_eni_batch
"""

EXAMPLES = r"""
- name: Read the journal a killed window left for this instance
  alibabacloud.ens.ens_eni_journal:
    instance_id: i-5p67acfmxazb4pxxxx
    journal_dir: "{{ lookup('env', 'HOME') }}/.ansible/alibabacloud.ens/journal"
  delegate_to: localhost
  register: journal

- name: Open the window's journal before stopping the instance
  alibabacloud.ens.ens_eni_journal:
    instance_id: i-5p67acfmxazb4pxxxx
    journal_dir: "{{ lookup('env', 'HOME') }}/.ansible/alibabacloud.ens/journal"
    state: present
    previous_status: Running
    to_detach: [eni-58z57orgmt6d1xxxx]
    to_attach: [eni-58z57orgmt6d2xxxx]
  delegate_to: localhost
"""

RETURN = r"""
path:
  description: The journal's file.
  returned: always
  type: str
  sample: /home/ops/.ansible/alibabacloud.ens/journal/i-5p67acfmxazb4pxxxx.json
error_code:
  description:
    - Why the task failed, when it did - V(JournalRefused) (a journal or folder that cannot be trusted, left as it is),
      V(JournalNotWritten) (nothing may be stopped) or V(JournalNotRemoved) (remove the file before the next run).
  returned: failure
  type: str
  sample: JournalRefused
journal:
  description: With O(state=read), the journal of the unfinished window; V({}) when there is none.
  returned: when O(state=read)
  type: dict
  contains:
    instance_id:
      description: The instance, O(instance_id).
      type: str
      sample: i-5p67acfmxazb4pxxxx
    previous_status:
      description: The status the instance had before the window.
      type: str
      sample: Running
    to_detach:
      description: The ENIs attached before the window that it detaches.
      type: list
      elements: str
      sample: [eni-58z57orgmt6d1xxxx]
    to_attach:
      description: The ENIs the window attaches.
      type: list
      elements: str
      sample: [eni-58z57orgmt6d2xxxx]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import check_ids
from ansible_collections.alibabacloud.ens.plugins.module_utils._journal import Journals, JournalRefused, not_written, window_refused


def run(module):
    params = module.params
    instance_id, state = params["instance_id"], params["state"]
    problems = check_ids([instance_id], "instance_id", "i")
    if state == "present":
        problems += check_ids(params["to_detach"], "to_detach", "eni") + check_ids(params["to_attach"], "to_attach", "eni")
    if problems:
        module.fail_json(msg="Invalid input, nothing was done: %s." % "; ".join(problems))
    journals = Journals(params["journal_dir"])
    path = journals.path(instance_id)
    if state == "read":
        try:
            module.exit_json(changed=False, path=path, journal=journals.read(instance_id))
        except JournalRefused as exc:
            module.fail_json(msg=exc.message, path=path, error_code="JournalRefused")
    if state == "absent":
        exists = os.path.lexists(path)
        problem = None if module.check_mode else journals.close(instance_id)
        if problem:
            module.fail_json(msg=problem, path=path, error_code="JournalNotRemoved")
        module.exit_json(changed=exists, path=path)
    refused = window_refused(instance_id, params["previous_status"])
    if refused:
        module.fail_json(msg=refused, path=path)
    if journals.folder_problem:
        module.fail_json(msg=journals.folder_problem, path=path, error_code="JournalRefused")
    if not module.check_mode:
        try:
            journals.write(instance_id, params["previous_status"], params["to_detach"], params["to_attach"])
        except OSError as exc:
            module.fail_json(msg=not_written(path, instance_id, exc), path=path, error_code="JournalNotWritten")
    module.exit_json(changed=True, path=path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            journal_dir=dict(type="path", required=True),
            state=dict(type="str", choices=["read", "present", "absent"], default="read"),
            previous_status=dict(type="str"),
            to_detach=dict(type="list", elements="str", default=[]),
            to_attach=dict(type="list", elements="str", default=[]),
        ),
        required_if=[("state", "present", ["previous_status"])],
        supports_check_mode=True,
    )
    run(module)


if __name__ == "__main__":
    main()
