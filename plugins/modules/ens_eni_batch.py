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
    type: float
    default: 40
  progress_file:
    description:
      - A file the module rewrites (atomically) after every round of polls with the phase and each instance's
        state, last status read and what it waits for. The action plugin sets it to print progress lines.
    type: path
  progress_interval:
    description:
      - Seconds between the progress lines the action plugin prints while the run goes on; V(0) prints none.
        Progress lines need the task to run on the controller (the default C(delegate_to=localhost)).
    type: int
    default: 15
notes:
  - Check mode plans every instance, reports which would change, and makes no mutating call. Diff mode shows each
    instance's ENIs and power state before and after, in its RV(outcomes) entry.
  - The task fails (with RV(outcomes) all the same) when any instance failed or was refused. The eni_change role
    registers it without failing and fails each host on its own outcome.
extends_documentation_fragment:
  - alibabacloud.ens.common
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
    - One outcome per instance, keyed by instance ID, with the keys of the eni_change role's C(eni_change_result)
      (C(instance_id), C(previous_status), C(status), C(detached), C(attached), C(error), C(rollback)) and
      C(changed), C(failed), C(refused) (refused before anything was stopped), C(error_code), C(request_id),
      C(errors) (each rule a refused plan breaks, with resource, rule, error code and request id), C(final_state),
      C(to_detach), C(to_attach), C(journal) (C(found), C(path), C(kept)) and C(diff) (C(before), C(after)).
  returned: always
  type: dict
  sample:
    i-5p67acfmxazb4pxxxx:
      instance_id: i-5p67acfmxazb4pxxxx
      changed: true
      failed: false
      refused: false
      error: ""
      error_code: ""
      request_id: ""
      errors: []
      previous_status: Running
      status: Running
      final_state: running
      to_detach: [eni-58z57orgmt6d1xxxx]
      to_attach: [eni-58z57orgmt6d2xxxx]
      detached: [eni-58z57orgmt6d1xxxx]
      attached: [eni-58z57orgmt6d2xxxx]
      journal: {found: false, path: /home/ops/.ansible/alibabacloud.ens/windows/i-5p67acfmxazb4pxxxx.json, kept: false}
      rollback: {enabled: true, needed: false, done: false, reattached: [], detached: [], error: "", where: {}}
summary:
  description: How many instances changed, were unchanged, failed, or were refused.
  returned: always
  type: dict
  sample: {instances: 2, changed: 2, unchanged: 0, failed: 0, refused: 0}
api:
  description:
    - The run's API calls as the pacer counted them, retries included; C(busiest_second) is the most calls made
      in one calendar second, C(throttled) the answers refused by flow control.
  returned: always
  type: dict
  sample: {calls: 14, throttled: 0, busiest_second: 5, max_calls_per_second: 40.0}
request_ids:
  description: Request ids of the mutating API calls this run made, in order.
  returned: always
  type: list
  elements: str
error_code:
  description: The API error code of the call that failed the whole run (before any instance's outcome).
  returned: when an API call fails the whole run
  type: str
  sample: SignatureDoesNotMatch
request_id:
  description: The request id of the call that failed the whole run.
  returned: when an API call fails the whole run
  type: str
  sample: 0CC5E7F4-2B13-5D29-9C4E-8E8D6C6E1C31
action:
  description: The ENS API action of the call that failed the whole run.
  returned: when an API call fails the whole run
  type: str
  sample: DescribeInstances
resource:
  description: The resources the failed call was about.
  returned: when an API call fails the whole run
  type: str
  sample: i-5p67acfmxazb4pxxxx
http_status:
  description: The HTTP status of the failed call's answer; absent when no answer came (connection errors).
  returned: when an API call fails the whole run with an answer
  type: int
  sample: 403
"""

from ansible_collections.alibabacloud.ens.plugins.module_utils._base import EnsInputError, EnsModule
from ansible_collections.alibabacloud.ens.plugins.module_utils._client import Pacer
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
            raise EnsInputError("Invalid input, nothing was done: " + "; ".join(problems))
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
