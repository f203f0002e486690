"""Unit tests run on every ansible-core the collection supports (`make compat`): before 2.19, ansible-core
has no ansible.module_utils.testing.patch_module_args, so this provides it, the way 2.19 defines it."""

import contextlib
import json
import sys
import types
from unittest import mock

try:
    import ansible.module_utils.testing  # noqa: F401  pylint: disable=unused-import
except ImportError:
    import ansible.module_utils
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Expose the given module args to `AnsibleModule` instances created within this context."""
        if not isinstance(args, (dict, type(None))):
            raise TypeError("The `args` arg must be a dict or None.")
        encoded = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        with mock.patch.object(basic, "_ANSIBLE_ARGS", encoded):
            yield

    testing = types.ModuleType("ansible.module_utils.testing", __doc__)
    testing.patch_module_args = patch_module_args
    sys.modules["ansible.module_utils.testing"] = testing
    ansible.module_utils.testing = testing
