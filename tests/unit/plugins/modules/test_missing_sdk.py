# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Without the SDK, a module fails with Ansible's standard missing-library message, before any call."""

from __future__ import annotations

import json
import sys

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.alibabacloud.ens.plugins.modules import ens_eni_info


def run_module(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            ens_eni_info.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


def test_missing_sdk_gives_the_standard_failure(monkeypatch, capsys):
    # A None entry in sys.modules makes the import raise ImportError, as on a host without the SDK.
    monkeypatch.setitem(sys.modules, "alibabacloud_ens20171110.client", None)
    code, result = run_module(capsys, {"endpoint": "http://127.0.0.1:9", "access_key_id": "LTAItestKey", "access_key_secret": "a-test-secret-value"})
    assert code == 1 and result["failed"]
    assert "Failed to import the required Python library (alibabacloud-ens20171110)" in result["msg"]


def test_bad_input_fails_before_the_sdk_is_imported(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "alibabacloud_ens20171110.client", None)
    code, result = run_module(capsys, {"network_interface_ids": ["not-an-eni"]})
    assert code == 1 and "is not a valid id" in result["msg"]
