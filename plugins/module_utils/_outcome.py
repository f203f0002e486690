# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One instance's outcome in a fleet window: what the eni_change role reports as eni_change_result."""

from __future__ import annotations

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError


def _code_and_request_id(error):
    details = getattr(error, "details", {})
    return (getattr(error, "code", None) or details.get("error_code") or "",
            getattr(error, "request_id", None) or details.get("request_id") or "")


def describe_error(error):
    """The error's message, with its code and request id when the message does not already carry them."""
    message = error.message if isinstance(error, EnsError) else str(error)
    code, request_id = _code_and_request_id(error)
    if request_id and request_id not in message:
        message += " (error code %s, request id %s)" % (code or "none", request_id)
    return message


class Outcome:
    """One instance's result: what the eni_change role reports as eni_change_result."""

    def __init__(self, instance_id, rollback):
        self.instance_id = instance_id
        self.changed = False
        self.refused = False
        self.error = ""
        self.error_code = ""
        self.request_id = ""
        self.errors = []
        self.previous_status = None
        self.status = None
        self.final_state = None
        self.to_detach = []
        self.to_attach = []
        self.window_detach = []
        self.window_attach = []
        self.journal = {"found": False, "path": "", "kept": False}
        self.rollback = {"enabled": rollback, "needed": False, "done": False, "reattached": [], "detached": [],
                         "error": "", "where": {}}
        self.touched = False          # the window started changing ENIs: a failure from here on is rolled back
        self.power_failed = False
        self.power_error = ""
        self.request = None           # the change asked: attach, detach, power_state (with what a journal puts back)
        self.journal_content = {}
        self.window = False           # the instance gets a stop/start window
        self.stop_needed = False
        self.before = {}
        self.after = {}
        self.state = "waiting"        # for the progress file: waiting, done, failed, refused, unchanged
        self.detail = "planning"

    @property
    def failed(self):
        return bool(self.error)

    def fail(self, step, error):
        """The first failure is the one reported; the instance is rolled back and returned to its power state."""
        if self.error:
            return
        self.error = "%s failed on %s: %s" % (step, self.instance_id, describe_error(error))
        self.error_code, self.request_id = _code_and_request_id(error)
        self.rollback["needed"] = self.touched
        self.state = "failed"

    def refuse(self, message, errors=(), code="", request_id=""):
        self.refused = True
        self.error = message
        self.errors = list(errors)
        self.error_code = code or (self.errors[0]["error_code"] if self.errors else "")
        self.request_id = request_id or (self.errors[0].get("request_id") or "" if self.errors else "")
        self.state = "refused"
        self.detail = "refused, never stopped"

    def close_message(self):
        """The failure message as the single-host role ends it: the rollback, then the power state."""
        if not self.error or self.refused:
            return
        rollback = self.rollback
        if not rollback["needed"]:
            tail = ""
        elif not rollback["enabled"]:
            tail = "Rollback is off (eni_change_rollback=false): the ENIs were left as they are."
        elif rollback["done"]:
            tail = ("Rolled back: every ENI is where it was before the window (attached as before: %s; detached as before: %s)."
                    % (", ".join(rollback["reattached"]) or "none", ", ".join(rollback["detached"]) or "none"))
        else:
            tail = ("The rollback failed too (%s). Where the ENIs are now: %s. The journal %s is kept: the next run finishes "
                    "the change it asks for and puts back the ENIs of this window that it does not ask for."
                    % (rollback["error"], "; ".join("%s: %s" % item for item in sorted(rollback["where"].items())),
                       self.journal["path"] or "(none: journal_dir was not set)"))
        if not self.power_failed:
            power = "The instance was returned to %s." % self.final_state
        elif self.power_error in self.error:
            power = ""
        else:
            power = "The instance could not be returned to %s: %s." % (self.final_state, self.power_error)
        self.error = " ".join(part for part in (self.error, tail, power) if part)

    def journal_not_removed(self, problem):
        """The window finished but its journal is still there: the next run would take it for unfinished."""
        self.error = " ".join(part for part in (self.error, problem) if part)
        self.error_code = self.error_code or "JournalNotRemoved"
        self.state = "failed"

    def as_dict(self):
        return {
            "instance_id": self.instance_id, "changed": self.changed, "failed": self.failed, "refused": self.refused,
            "error": self.error, "error_code": self.error_code, "request_id": self.request_id, "errors": self.errors,
            "previous_status": self.previous_status, "status": self.status, "final_state": self.final_state,
            "to_detach": self.to_detach, "to_attach": self.to_attach,
            "detached": self.to_detach, "attached": self.to_attach,
            "journal": self.journal, "rollback": self.rollback,
            "diff": {"before": self.before, "after": self.after},
        }
