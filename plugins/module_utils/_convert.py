# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Resource ids in, API objects out: id checks and the snake_case form results show. Used by modules and plugins."""

from __future__ import annotations

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

ID_PATTERNS = {
    "eni": re.compile(r"^eni-[A-Za-z0-9][A-Za-z0-9-]*$"),
    "i": re.compile(r"^i-[A-Za-z0-9][A-Za-z0-9-]*$"),
}
ID_EXAMPLES = {"eni": "eni-58z57orgmt6d1xxxx", "i": "i-5p67acfmxazb4pxxxx"}


def _unwrap(value):
    # The API wraps lists in a one-key object ({"SecurityGroup": [...]}); results show the plain list.
    if isinstance(value, dict):
        if len(value) == 1:
            (only,) = value.values()
            if isinstance(only, list):
                return [_unwrap(item) for item in only]
        return {key: _unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unwrap(item) for item in value]
    return value


def _rename_vswitch(value):
    if isinstance(value, dict):
        return {("vswitch_id" if key == "v_switch_id" else key): _rename_vswitch(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rename_vswitch(item) for item in value]
    return value


def to_snake(resource):
    """An API object as a result: snake_case keys, list wrappers removed, VSwitchId as vswitch_id."""
    return _rename_vswitch(camel_dict_to_snake_dict(_unwrap(resource)))


def check_ids(values, option, kind):
    """Problems with a list of resource ids given in `option`: empty, whitespace, wrong prefix, duplicates."""
    problems = []
    seen = set()
    for index, value in enumerate(values):
        where = option if len(values) == 1 else "%s[%d]" % (option, index)
        if not isinstance(value, str) or not value:
            problems.append("%s is empty" % where)
        elif value != value.strip() or any(c.isspace() for c in value):
            problems.append("%s %r contains whitespace" % (where, value))
        elif not ID_PATTERNS[kind].match(value):
            problems.append("%s %r is not a valid id: expected the form %s" % (where, value, ID_EXAMPLES[kind]))
        elif value in seen:
            problems.append("%s %r is listed more than once" % (where, value))
        seen.add(value)
    return problems
