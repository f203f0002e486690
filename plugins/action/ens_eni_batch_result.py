# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn one instance's outcome in an ens_eni_batch result into this host's own task result (no API call)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.plugins.action import ActionBase

ARGUMENT_SPEC = {
    'batch': {'type': 'dict', 'required': True},
    'instance_id': {'type': 'str', 'required': True},
}


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect

        validation, args = self.validate_argument_spec(ARGUMENT_SPEC)
        del validation  # validate_argument_spec raises on a bad argument
        batch = args['batch']
        instance_id = args['instance_id']

        outcomes = batch.get('outcomes')
        outcome = outcomes.get(instance_id) if isinstance(outcomes, Mapping) else None
        if outcome is None:
            # The module failed as a whole (bad credentials, bad option...) or never saw this instance.
            why = batch.get('msg') or (
                'it did not run' if batch.get('skipped') else 'it returned no outcome for this instance')
            result.update(failed=True, changed=False, instance_id=instance_id, eni_change_result={},
                          msg='The ENI batch did not change instance %s: %s' % (instance_id, why))
            return result
        if not isinstance(outcome, Mapping):
            result.update(failed=True, changed=False, instance_id=instance_id, eni_change_result={},
                          msg='The ENI batch outcome of instance %s is not a dictionary (%s).' % (instance_id, type(outcome).__name__))
            return result

        outcome = dict(outcome)
        result['instance_id'] = instance_id
        result['eni_change_result'] = outcome
        result['changed'] = bool(outcome.get('changed'))
        if self._task.diff and outcome.get('diff'):
            result['diff'] = outcome['diff']
        if outcome.get('failed'):
            result['failed'] = True
            result['msg'] = outcome.get('error') or 'The ENI change of instance %s failed.' % instance_id
            for key in ('error_code', 'request_id'):
                if outcome.get(key):
                    result[key] = outcome[key]
        return result
