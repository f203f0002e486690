#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ens_eni_batch
short_description: Change the ENIs of many ENS instances at once, one stop/start window per instance
version_added: 2.0.0
description:
  - Attaches and detaches the ENIs of many Alibaba Cloud ENS (Edge Node Service) instances in one run, giving each
    instance that needs a change one window (stop it, detach, attach, then bring it back to its power state). This
    is what the P(alibabacloud.ens.eni_change#role) role does for one instance, done for a whole batch of hosts by
    one process; the role's batch mode (O(changes) built from every host of a C(serial) batch) and the
    C(attach), C(detach) and C(swap) playbooks over an inventory use it.
  - B(Plan first.) Every instance's change is checked against every rule (the ENI exists and is C(Available) or
    attached where expected, same zone and network, at most 10 ENIs, never the primary ENI, the instance exists and
    is not C(Expired) or C(Releasing)) before anything is stopped. An instance whose change breaks a rule, or whose
    journal cannot be trusted, is refused in its RV(outcomes) entry and never stopped; the others go on.
  - B(Shared work.) Each phase (stop, detach, attach, rollback, power back) runs for all instances together. Reads
    ask for up to 100 instances or ENIs per API call, one round of reads per poll for the whole batch. Stops and
    starts go out as C(StopInstances) and C(StartInstances) calls of up to 100 instances, each instance judged by its
    own entry in the answer's C(InstanceResponses). With O(force_stop=true), stops are made one instance at a time
    with C(StopInstance), since C(StopInstances) has no forced stop.
  - B(Flow control.) Every API call of the run (reads, changes, retries) goes through one pacer that spaces them
    evenly under O(max_calls_per_second). A throttled answer halves the pace, which then recovers a twentieth of
    the ceiling per answer; a throttled call is made again, so throttling slows the run down and never fails it
    while the wait timeouts last.
  - B(Per instance outcomes.) An instance whose change fails after its stop is rolled back (the ENIs its window
    attached are detached, those it detached attached again) and returned to its power state, as in the role; the
    other instances finish. Each instance's outcome is in RV(outcomes), the eni_change role's C(eni_change_result).
  - B(Journal.) With O(journal_dir), each instance's window is written to C(<journal_dir>/<instance_id>.json)
    before it is stopped and removed once it is back to its power state, in the same format and under the same
    trust rules as the eni_change role, so a play killed inside the window is finished by the next run of either.
  - The grace period, conflict and lost-answer rules of M(alibabacloud.ens.ens_eni_attach),
    M(alibabacloud.ens.ens_eni_detach) and M(alibabacloud.ens.ens_instance_power) apply to every instance.
author:
  - Alibaba Cloud ENS collection contributors (@alibabacloud)
options:
  changes:
    description:
      - The change of each instance. An instance listed twice is refused (both entries).
    type: list
    elements: dict
    required: true
    suboptions:
      instance_id:
        description: ID of the instance.
        type: str
        required: true
      attach:
        description: IDs of the ENIs to attach to the instance.
        type: list
        elements: str
        default: []
      detach:
        description: IDs of the ENIs to detach from the instance.
        type: list
        elements: str
        default: []
      power_state:
        description: The power state this instance ends in; defaults to O(power_state).
        type: str
        choices: [restore, running, stopped]
  power_state:
    description:
      - The power state each instance ends in. V(restore) brings it back to the state it had before the window
        (C(Stopped) or C(Stopping) before gives V(stopped), anything else V(running)).
    type: str
    default: restore
    choices: [restore, running, stopped]
  exclusive:
    description:
      - Each instance's O(changes[].attach) is the exact set of secondary ENIs it must end with; every other secondary
        ENI attached to it is detached. O(changes[].detach) must then be empty. Exclusive mode reads each instance's
        ENIs with one call per instance.
    type: bool
    default: false
  allow_empty:
    description: With O(exclusive=true), allow an empty O(changes[].attach), which detaches every secondary ENI.
    type: bool
    default: false
  force_stop:
    description: Stop without waiting for the operating system to shut down. Data not yet written to disk can be lost.
    type: bool
    default: false
  rollback:
    description:
      - When an instance's change fails once its ENIs started changing, put them back where they were before its
        window, then return it to its power state.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each phase of ENI changes (detach, attach, and each rollback step).
    type: int
    default: 300
  power_wait_timeout:
    description: Seconds to wait for each power phase (the stop, the return to the power state).
    type: int
    default: 600
  journal_dir:
    description:
      - The folder of the per-instance journals (the eni_change role's C(eni_change_journal_dir)). Made with mode
        0700 when missing. A folder writable by its group or by everyone refuses every instance; a journal that is a
        link, not a regular file, not owned by the user running the module, writable by others, not JSON or about
        another instance refuses its instance.
      - Without it no journal is kept, and a play killed inside a window leaves nothing for the next run to finish.
    type: path
  max_calls_per_second:
    description:
      - The ceiling on the API calls of the whole run, per second. ENS documents C(DescribeInstances) at 100 calls
        per second per RAM user; keep the sum over everything that runs at the same time (AWX slices, other jobs)
        under it.
      - A second holds whole calls, so a fractional ceiling above 1 is paced at its whole part (C(2.5) goes at 2 calls
        per second); under 1, calls are spaced 1/ceiling seconds apart.
    type: float
    default: 40
  progress_file:
    description:
      - A file the module rewrites (atomically) after every round of polls with the phase and each instance's
        state, last status read and what it waits for. Without it, the action plugin uses a file in a private
        temporary folder (mode 0700) that it removes when the module returns; a file you give is used as given,
        shown, and left in place.
    type: path
  progress_interval:
    description:
      - Seconds between the progress lines the action plugin prints while the run goes on; V(0) prints none.
        Progress lines need the task to run on the controller (the default C(delegate_to=localhost)).
    type: int
    default: 15
notes:
  - >-
    Progress: while the module runs, its action plugin prints one plain-text line every O(progress_interval) seconds
    (the first as soon as the plan is known, none after the module returns), in C(ansible-playbook) output and in
    AWX job output (as verbose events, shown at every verbosity), for example
    C(ens_eni_batch: 45 s, detach: 63/100 done, 1 failed, 36 waiting: i-a Stopping; i-b detach eni-x: Detaching (+35 more)):
    the time since the task started, the phase, how many instances are done, unchanged, failed, refused and waiting,
    then the instances not yet finished well (failed and refused first, then waiting) with their last status,
    those with the same status together, at most 10 named and the rest counted.
  - >-
    Progress lines need the module to run on the controller (a local connection, as with the default
    C(delegate_to=localhost)); with another connection, with C(async), or with C(become) when O(progress_file) is not
    given, the module runs without them.
  - The task fails (with RV(outcomes) all the same) when any instance failed or was refused. The eni_change role
    registers it without failing and fails each host on its own outcome.
  - The failure keys described below (C(error_code), C(request_id), C(action), C(resource), C(http_status)) come
    only when the whole run fails before any instance's outcome (bad credentials, an unreadable answer); the failure
    of one instance is in its RV(outcomes) entry (RV(outcomes.error), RV(outcomes.error_code),
    RV(outcomes.request_id), RV(outcomes.errors)).
extends_documentation_fragment:
  - alibabacloud.ens.common.options
  - alibabacloud.ens.common.modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Plans every instance and reports which would change, with no mutating call.
  diff_mode:
    support: partial
    details: Each instance's ENIs and power state before and after are in its RV(outcomes) entry, not in the task's diff.
"""

EXAMPLES = r"""
- name: Swap one ENI on two instances in one run
  alibabacloud.ens.ens_eni_batch:
    changes:
      - instance_id: i-5p67acfmxazb4pxxxx
        detach: [eni-58z57orgmt6d1xxxx]
        attach: [eni-58z57orgmt6d2xxxx]
      - instance_id: i-5p67acfmxazb4pyyyy
        detach: [eni-58z57orgmt6d3xxxx]
        attach: [eni-58z57orgmt6d4xxxx]
    journal_dir: ~/.ansible/alibabacloud.ens/windows
    max_calls_per_second: 20
  register: batch

- name: Show the instances that failed
  ansible.builtin.debug:
    msg: "{{ batch.outcomes | dict2items | selectattr('value.failed') | map(attribute='value.error') | list }}"
"""

RETURN = r"""
outcomes:
  description:
    - One outcome per instance of O(changes), keyed by instance ID; each outcome is a dict with the keys below,
      those of the eni_change role's C(eni_change_result).
    - Also returned when the task fails because an instance failed or was refused; empty when the whole run failed
      before any instance's outcome (see the notes).
  returned: always
  type: dict
  contains:
    instance_id:
      description: ID of the instance.
      type: str
      sample: i-5p67acfmxazb4pxxxx
    changed:
      description: Whether the instance's ENIs or power state changed (in check mode, would change).
      type: bool
      sample: true
    failed:
      description: Whether the instance's change failed or was refused.
      type: bool
      sample: false
    refused:
      description: Whether the change was refused before anything was stopped (a broken rule, a bad journal).
      type: bool
      sample: false
    error:
      description:
        - Empty on success. Else the whole message, as the eni_change role's failure reads, with what was rolled
          back and the power state the instance was returned to.
      type: str
      sample: ""
    error_code:
      description: The API error code of the failure; empty when none.
      type: str
      sample: ""
    request_id:
      description: The request id of the failed call (or of the read that showed a broken rule); empty when none.
      type: str
      sample: ""
    errors:
      description:
        - Every rule a refused change breaks, each with C(resource), C(rule), C(error_code) and C(request_id) (as the
          C(errors) of a failed M(alibabacloud.ens.ens_eni_plan)); empty otherwise.
      type: list
      elements: dict
      sample: []
    previous_status:
      description:
        - The status of the instance before its window; the journal's when a window a killed run left is finished.
          May be null for a refused instance.
      type: str
      sample: Running
    status:
      description: The last status read of the instance.
      type: str
      sample: Running
    final_state:
      description: The power state the instance ends in, V(running) or V(stopped); may be null for a refused instance.
      type: str
      sample: running
    to_detach:
      description: The ENIs the plan detaches, those a journal found puts back included.
      type: list
      elements: str
      sample: [eni-58z57orgmt6d1xxxx]
    to_attach:
      description: The ENIs the plan attaches, those a journal found puts back included.
      type: list
      elements: str
      sample: [eni-58z57orgmt6d2xxxx]
    detached:
      description: The same list as RV(outcomes.to_detach), under the name of the eni_change role's result.
      type: list
      elements: str
      sample: [eni-58z57orgmt6d1xxxx]
    attached:
      description: The same list as RV(outcomes.to_attach), under the name of the eni_change role's result.
      type: list
      elements: str
      sample: [eni-58z57orgmt6d2xxxx]
    journal:
      description: The instance's journal.
      type: dict
      contains:
        found:
          description: Whether a journal of an earlier, killed run was found; this run then finished its window.
          type: bool
          sample: false
        path:
          description: The journal file; empty without O(journal_dir).
          type: str
          sample: /home/ops/.ansible/alibabacloud.ens/windows/i-5p67acfmxazb4pxxxx.json
        kept:
          description: Whether the journal was kept, because the rollback failed; the next run finishes from it.
          type: bool
          sample: false
    rollback:
      description: The rollback of the instance's window.
      type: dict
      contains:
        enabled:
          description: O(rollback).
          type: bool
          sample: true
        needed:
          description: Whether the change failed once the instance's ENIs had started changing.
          type: bool
          sample: false
        done:
          description: Whether the rollback put every ENI back where it was before the window.
          type: bool
          sample: false
        reattached:
          description: The ENIs the rollback attached again.
          type: list
          elements: str
          sample: []
        detached:
          description: The ENIs the rollback detached again.
          type: list
          elements: str
          sample: []
        error:
          description: Why the rollback failed; empty when it did not.
          type: str
          sample: ""
        where:
          description: When the rollback failed, where each ENI of the window is, by ENI ID.
          type: dict
          sample: {eni-58z57orgmt6d1xxxx: "Available (before the window: attached to i-5p67acfmxazb4pxxxx)"}
    diff:
      description:
        - The instance before and after, each a dict with C(status) and C(network_interfaces) (each changed ENI's
          C(status) and C(instance_id), by ENI ID).
      returned: in diff mode
      type: dict
      sample:
        before: {status: Running, network_interfaces: {eni-58z57orgmt6d1xxxx: {status: InUse, instance_id: i-5p67acfmxazb4pxxxx}}}
        after: {status: Running, network_interfaces: {eni-58z57orgmt6d1xxxx: {status: Available, instance_id: ""}}}
summary:
  description: How many instances the run had, by outcome; empty when the whole run failed.
  returned: always
  type: dict
  contains:
    instances:
      description: All instances of O(changes).
      type: int
      sample: 2
    changed:
      description: Those changed (in check mode, that would change).
      type: int
      sample: 2
    unchanged:
      description: Those already as asked.
      type: int
      sample: 0
    failed:
      description: Those whose change failed after planning.
      type: int
      sample: 0
    refused:
      description: Those refused before anything was stopped.
      type: int
      sample: 0
api:
  description: The run's API calls as the pacer counted them, retries included.
  returned: always
  type: dict
  contains:
    calls:
      description: All calls made.
      type: int
      sample: 14
    throttled:
      description: Answers refused by flow control.
      type: int
      sample: 0
    busiest_second:
      description: The most calls made in one calendar second.
      type: int
      sample: 5
    max_calls_per_second:
      description: The ceiling, O(max_calls_per_second).
      type: float
      sample: 40.0
request_ids:
  description: Request ids of the mutating API calls this run made, in order.
  returned: always
  type: list
  elements: str
  sample: [473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E]
"""

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import EnsModule
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsInputError
from ansible_collections.alibabacloud.ens.plugins.module_utils._retry import Pacer
from ansible_collections.alibabacloud.ens.plugins.module_utils._fleet import FleetWindow


class EnsEniBatch(EnsModule):
    argument_spec = dict(
        changes=dict(type="list", elements="dict", required=True, options=dict(
            instance_id=dict(type="str", required=True),
            attach=dict(type="list", elements="str", default=[]),
            detach=dict(type="list", elements="str", default=[]),
            power_state=dict(type="str", choices=["restore", "running", "stopped"]),
        )),
        power_state=dict(type="str", default="restore", choices=["restore", "running", "stopped"]),
        exclusive=dict(type="bool", default=False),
        allow_empty=dict(type="bool", default=False),
        force_stop=dict(type="bool", default=False),
        rollback=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        power_wait_timeout=dict(type="int", default=600),
        journal_dir=dict(type="path"),
        max_calls_per_second=dict(type="float", default=40),
        progress_file=dict(type="path"),
        progress_interval=dict(type="int", default=15),
    )

    def run(self):
        params = self.module.params
        problems = ["%s must be 0 or more, not %d" % (name, params[name])
                    for name in ("wait_timeout", "power_wait_timeout") if params[name] < 0]
        if params["max_calls_per_second"] <= 0:
            problems.append("max_calls_per_second must be more than 0, not %g" % params["max_calls_per_second"])
        if problems:
            raise EnsInputError(problems)
        self.result.update(outcomes={}, summary={}, api={})
        self.api.pacer = Pacer(params["max_calls_per_second"])
        window = FleetWindow(self.api, params, check_mode=self.check_mode, warn=self.module.warn, record=self.record,
                             progress_file=params["progress_file"])
        try:
            results = window.run(params["changes"])
        finally:
            self.result["api"] = self.api.pacer.as_dict()
        diff = self.module._diff  # pylint: disable=protected-access
        for outcome in results.values():
            if not diff:
                outcome.pop("diff")
        failed = [outcome for outcome in results.values() if outcome["failed"]]
        self.result.update(
            changed=any(outcome["changed"] for outcome in results.values()),
            outcomes=results,
            summary={"instances": len(results), "changed": sum(1 for o in results.values() if o["changed"] and not o["failed"]),
                     "unchanged": sum(1 for o in results.values() if not o["changed"] and not o["failed"]),
                     "failed": sum(1 for o in failed if not o["refused"]),
                     "refused": sum(1 for o in failed if o["refused"])})
        if failed:
            self.result["failed"] = True
            self.result["msg"] = "%d of %d instances failed or were refused: %s" % (
                len(failed), len(results), "; ".join(o["error"] for o in failed[:3]) + (" ..." if len(failed) > 3 else ""))


def main():
    EnsEniBatch.main()


if __name__ == "__main__":
    main()
