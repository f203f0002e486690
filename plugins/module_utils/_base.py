# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base every module class stands on: options, the API client, input checks, errors and results."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.alibabacloud.ens.plugins.module_utils._client import EnsApi
from ansible_collections.alibabacloud.ens.plugins.module_utils._convert import check_ids
from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError, EnsInputError, EnsMissingLibrary
from ansible_collections.alibabacloud.ens.plugins.module_utils._options import ens_argument_spec
from ansible_collections.alibabacloud.ens.plugins.module_utils._waiter import Waiter


class EnsModule:
    """One module: subclasses set `argument_spec`, `module_kwargs` and implement `run()`."""

    argument_spec = {}
    module_kwargs = {}
    mutating = True  # results carry request_ids of the mutating calls made

    def __init__(self, module):
        self.module = module
        self.result = {"changed": False}
        self.request_ids = []
        self._api = None

    @classmethod
    def build_ansible_module(cls):
        spec = ens_argument_spec()
        spec.update(cls.argument_spec)
        return AnsibleModule(argument_spec=spec, supports_check_mode=True, **cls.module_kwargs)

    @property
    def api(self):
        if self._api is None:
            self._api = EnsApi.from_params(self.module.params, warn=self.module.warn)
        return self._api

    @property
    def check_mode(self):
        return self.module.check_mode

    def waiter(self):
        return Waiter(self.module.params["wait_timeout"])

    def ids_from(self, single, plural, kind):
        """The ids given as `single` (str) or `plural` (list), checked; raises EnsInputError listing every problem."""
        params = self.module.params
        values = [params[single]] if params.get(single) is not None else list(params.get(plural) or [])
        option = single if params.get(single) is not None else plural
        if not values:
            raise EnsInputError(["%s must list at least one id" % option])
        problems = check_ids(values, option, kind)
        if problems:
            raise EnsInputError(problems)
        return values

    def record(self, request_id):
        """Remember the request id of a mutating call: a change was made."""
        self.result["changed"] = True
        if request_id:
            self.request_ids.append(request_id)

    def run(self):
        raise NotImplementedError

    @classmethod
    def main(cls):
        module = cls.build_ansible_module()
        runner = cls(module)
        try:
            runner.run()
        except EnsMissingLibrary as exc:
            module.fail_json(msg=missing_required_lib(exc.library),
                             exception="".join(traceback.format_exception(type(exc.exc), exc.exc, exc.exc.__traceback__)) if exc.exc else None)
        except EnsError as exc:
            # What was changed before the failure is reported, never hidden.
            result = dict(runner.result)
            if cls.mutating:
                result["request_ids"] = runner.request_ids
            result.update(exc.details)
            module.fail_json(msg=exc.message, **result)
        if cls.mutating:
            runner.result["request_ids"] = runner.request_ids
        module.exit_json(**runner.result)
