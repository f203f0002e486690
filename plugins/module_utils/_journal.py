# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The per-instance journal of a stop/start window: the eni_change role's files, JSON format and trust rules."""

from __future__ import annotations

import json
import os
import stat

from ansible_collections.alibabacloud.ens.plugins.module_utils._errors import EnsError

# Statuses a window may start from: the journal must be able to say which power state to come back to.
JOURNAL_STATUSES = ("Running", "Starting", "Stopped", "Stopping")
MAX_JOURNAL_BYTES = 64 * 1024


def window_refused(instance_id, status):
    """Why no window may open on an instance in `status` (a journal could not say what to return to), or None."""
    if status in JOURNAL_STATUSES:
        return None
    return ("Instance %s is %s: a window opens only on an instance that is %s. Nothing was stopped."
            % (instance_id, status, ", ".join(JOURNAL_STATUSES)))


def not_written(path, instance_id, error):
    """The message of a journal that could not be written: nothing is stopped without one."""
    return ("Could not write the journal %s of instance %s: %s. Without it a play killed inside the window could not be "
            "finished, so nothing was stopped. Give journal_dir (eni_change_journal_dir) a folder the user running it "
            "can write to." % (path, instance_id, error.strerror or error))


class JournalRefused(EnsError):
    """A journal (or its folder) that cannot be trusted: the instance is left alone."""


class Journals:
    """The per-instance journals of windows, with the eni_change role's files, format and trust rules."""

    def __init__(self, directory):
        self.directory = directory
        self.folder_problem = None
        if directory:
            self.folder_problem = self._check_folder()

    def path(self, instance_id):
        return os.path.join(self.directory, "%s.json" % instance_id) if self.directory else ""

    def _check_folder(self):
        try:
            info = os.stat(self.directory)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return "Could not look at the journal folder %s: %s. Nothing was changed." % (self.directory, exc.strerror or exc)
        if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            what = ("writable by its group or by everyone (mode %04o)" % stat.S_IMODE(info.st_mode)
                    if stat.S_ISDIR(info.st_mode) else "not a folder")
            return ("The journal folder %s is %s: anyone able to write there could plant a journal that makes the module "
                    "stop, start or change an instance. It does not change the folder's mode. Give journal_dir "
                    "(eni_change_journal_dir) a folder only you can write to (for example chmod 0700 it, or let it create "
                    "a new one). Nothing was changed." % (self.directory, what))
        return None

    def read(self, instance_id):
        """The journal an unfinished window left for the instance ({} when none); raises JournalRefused."""
        if not self.directory:
            return {}
        if self.folder_problem:
            raise JournalRefused(self.folder_problem)
        path = self.path(instance_id)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise JournalRefused("Could not look at the journal %s: %s. Nothing was changed." % (path, exc.strerror or exc))
        problem = None
        if stat.S_ISLNK(info.st_mode):
            problem = "a symbolic link"
        elif not stat.S_ISREG(info.st_mode):
            problem = "not a regular file"
        elif info.st_uid != os.getuid():
            problem = "owned by uid %d, not by the user running the module (uid %d)" % (info.st_uid, os.getuid())
        elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            problem = "writable by its group or by everyone (mode %04o)" % stat.S_IMODE(info.st_mode)
        elif info.st_size > MAX_JOURNAL_BYTES:
            problem = "%d bytes, more than a journal ever holds" % info.st_size
        if problem:
            raise JournalRefused(
                "The journal %s of instance %s is %s. Only a journal the collection could have written itself is trusted: "
                "a regular file owned by the user running it and writable by nobody else. It was not read and nothing was "
                "changed. Remove it if no window is unfinished on %s." % (path, instance_id, problem, instance_id))
        try:
            with open(path, "rb") as handle:
                journal = json.loads(handle.read(MAX_JOURNAL_BYTES + 1).decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise JournalRefused("The journal %s of instance %s is not JSON (%s). Nothing was changed."
                                 % (path, instance_id, str(exc)[:200]))
        lists = [journal.get("to_detach", []), journal.get("to_attach", [])] if isinstance(journal, dict) else []
        if not isinstance(journal, dict):
            problem = "it is not a JSON object"
        elif journal.get("instance_id") != instance_id:
            problem = "it is about instance %s" % (json.dumps(journal.get("instance_id"))[:100],)
        elif journal.get("previous_status") not in JOURNAL_STATUSES:
            problem = "its previous_status %s is not one of %s" % (json.dumps(journal.get("previous_status"))[:100],
                                                                   ", ".join(JOURNAL_STATUSES))
        elif not all(isinstance(item, list) and all(isinstance(eni_id, str) for eni_id in item) for item in lists):
            problem = "its to_detach and to_attach are not lists of ENI IDs"
        if problem:
            raise JournalRefused("The journal %s of instance %s does not match it: %s. Nothing was done for it. Remove it "
                                 "if no window is unfinished on %s." % (path, instance_id, problem, instance_id))
        return journal

    def write(self, instance_id, previous_status, to_detach, to_attach):
        """Open a window's journal before anything is stopped; raises OSError when it cannot be written."""
        if not self.directory:
            return
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, mode=0o700)
        path = self.path(instance_id)
        temporary = "%s.tmp-%d" % (path, os.getpid())
        content = json.dumps({"instance_id": instance_id, "previous_status": previous_status,
                              "to_detach": list(to_detach), "to_attach": list(to_attach)})
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(content)
            os.replace(temporary, path)
        except OSError:
            os.unlink(temporary)
            raise

    def close(self, instance_id):
        """Remove the journal of a finished window; the problem (the journal is then kept) or None."""
        if not self.directory:
            return None
        path = self.path(instance_id)
        try:
            os.unlink(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            # A journal left behind would make the next run take the finished window for an unfinished one.
            return ("The window of instance %s finished, but its journal %s could not be removed (%s). Remove it before "
                    "the next run, which would otherwise take the window for unfinished and put back the ENIs it changed."
                    % (instance_id, path, exc.strerror or exc))
        return None
