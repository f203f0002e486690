# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading listings: ids sent at most 100 per call, every page followed, every item checked for shape."""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import (
    SUCCESS_BODY_CODES,
    EnsApiError,
    is_throttling,
    request_id_of,
    shape_error,
)

PAGE_SIZE = 50
MAX_IDS_PER_CALL = 100
# A listing stops with an error past this many pages (50,000 items): a TotalCount that never ends.
MAX_PAGES = 1000


class Listing(list):
    """The items a read found, with the request id of the (last) call that read them."""

    request_id = None


def chunks(ids, size=MAX_IDS_PER_CALL):
    """The ids in lists of at most `size`, in order."""
    ids = list(ids)
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def read_pages(action, doing, resource, fetch, path, id_key):
    """Every item of a paged listing, each once, checked for shape.

    Items are told apart by `id_key`. A page may repeat a few items of the previous one (an item created
    between two calls shifts the pages): those are dropped. A page that brings nothing new while
    TotalCount says more are left, or more than MAX_PAGES pages, is an error: the listing cannot be
    complete, and a partial list must not pass for the whole.
    """
    items = Listing()
    seen = set()
    number = 1
    while True:
        body = fetch(number)
        request_id = request_id_of(body.get("RequestId"))
        items.request_id = request_id

        def refuse(problem):
            return shape_error(problem, action, "%s, page %d" % (doing, number), resource, request_id)

        total = body.get("TotalCount")
        if isinstance(total, str) and total.strip().isdigit():
            total = int(total)
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise refuse("TotalCount is %s, not a count" % ("missing" if total is None else repr(total)[:60]))
        batch = _items(body, path, refuse)
        new = 0
        for index, item in enumerate(batch):
            if not isinstance(item, dict):
                raise refuse("%s.%s[%d] is %s, not an object" % (path[0], path[1], index, type(item).__name__))
            for key in (id_key, "Status"):
                if not isinstance(item.get(key), str) or not item.get(key):
                    raise refuse("%s.%s[%d] has no %s" % (path[0], path[1], index, key))
            odd = _odd_nested_field(item)
            if odd:
                raise refuse("%s.%s[%d].%s" % (path[0], path[1], index, odd))
            if item[id_key] not in seen:
                seen.add(item[id_key])
                items.append(item)
                new += 1
        if len(items) >= total or not batch:
            return items
        if not new:
            raise refuse("page %d repeats items of earlier pages and brings nothing new, while TotalCount %d "
                         "promises more than the %d items read: the listing cannot be completed"
                         % (number, total, len(items)))
        if number >= MAX_PAGES:
            raise refuse("TotalCount %d needs more than %d pages of %d: refusing to read further"
                         % (total, MAX_PAGES, PAGE_SIZE))
        number += 1


def instance_responses(body, action, doing, instance_ids, request_id):
    """Each instance's answer in a batch power call: None when it was accepted, else the error refusing it.

    An instance the answer does not mention is taken as accepted: the reads that follow judge it.
    """
    outcome = dict((instance_id, None) for instance_id in instance_ids)
    responses = body.get("InstanceResponses")
    if isinstance(responses, dict):  # some ENS answers wrap lists one level deeper
        responses = responses.get("InstanceResponse")
    if responses is None:
        return outcome
    if not isinstance(responses, list):
        raise shape_error("InstanceResponses is %s, not a list" % type(responses).__name__, action, doing,
                          ", ".join(instance_ids), request_id)
    for item in responses:
        # An id that is not text (a list, an object) cannot name one of ours: skipped, never a crash.
        if not isinstance(item, dict) or not isinstance(item.get("InstanceId"), str) or item["InstanceId"] not in outcome:
            continue
        code = item.get("Code")
        if code in SUCCESS_BODY_CODES:
            continue
        code = str(code)
        outcome[item["InstanceId"]] = EnsApiError(
            "%s refused instance %s: %s (error code %s, request id %s)"
            % (action, item["InstanceId"], item.get("Message") or "no message", code, request_id or "none"),
            code=code, request_id=request_id, action=action, resource=item["InstanceId"],
            transient=is_throttling(code), maybe_applied=False)
    return outcome


def _items(body, path, refuse):
    """The list at body[path[0]][path[1]], absent meaning empty; any other shape is refused."""
    outer = body.get(path[0])
    if outer is None:
        return []
    if not isinstance(outer, dict):
        raise refuse("%s is %s, not an object" % (path[0], type(outer).__name__))
    inner = outer.get(path[1])
    if inner is None:
        return []
    if not isinstance(inner, list):
        raise refuse("%s.%s is %s, not a list" % (path[0], path[1], type(inner).__name__))
    return inner


def _odd_nested_field(item):
    """The first nested field of an API object that the modules read and that has the wrong shape, or None."""
    for key in ("NetworkAttributes", "NetworkInterfaces"):
        if item.get(key) is not None and not isinstance(item[key], dict):
            return "%s is %s, not an object" % (key, type(item[key]).__name__)
    attached = (item.get("NetworkInterfaces") or {}).get("NetworkInterfaces")
    if attached is not None and (not isinstance(attached, list) or not all(isinstance(entry, dict) for entry in attached)):
        return "NetworkInterfaces.NetworkInterfaces is not a list of objects"
    return None
