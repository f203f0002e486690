# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ens_eni_journal as a module run on real files: a journal written is read back whole, every untrusted journal or
folder is refused and left as found, and a journal that cannot be written or removed fails with its own code."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.alibabacloud.ens.plugins.modules import ens_eni_journal

INSTANCE = "i-5p67acfmxazb4pxxxx"


def run(capsys, check_mode=False, **args):
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            ens_eni_journal.main()
    return json.loads(capsys.readouterr().out)


def write(capsys, folder, **args):
    values = dict(instance_id=INSTANCE, journal_dir=str(folder), state="present", previous_status="Running",
                  to_detach=["eni-old"], to_attach=["eni-new"])
    values.update(args)
    return run(capsys, **values)


def test_a_journal_written_is_read_back_whole_from_a_folder_made_for_this_user_only(tmp_path, capsys):
    folder = tmp_path / "windows"
    assert run(capsys, instance_id=INSTANCE, journal_dir=str(folder))["journal"] == {}
    written = write(capsys, folder)
    assert written["changed"] is True and written["path"] == str(folder / ("%s.json" % INSTANCE))
    assert stat.S_IMODE(os.stat(str(folder)).st_mode) & 0o077 == 0
    assert stat.S_IMODE(os.lstat(written["path"]).st_mode) == 0o600
    read = run(capsys, instance_id=INSTANCE, journal_dir=str(folder))
    assert read["changed"] is False
    assert read["journal"] == {"instance_id": INSTANCE, "previous_status": "Running", "to_detach": ["eni-old"],
                               "to_attach": ["eni-new"]}
    assert run(capsys, instance_id=INSTANCE, journal_dir=str(folder), state="absent")["changed"] is True
    assert not os.path.lexists(written["path"])
    assert run(capsys, instance_id=INSTANCE, journal_dir=str(folder), state="absent")["changed"] is False


def plant(folder, content=None, mode=0o600, link_to=None):
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / ("%s.json" % INSTANCE)
    if link_to:
        os.symlink(str(link_to), str(path))
    else:
        path.write_text(content)
        os.chmod(str(path), mode)
    return path


VALID = json.dumps({"instance_id": INSTANCE, "previous_status": "Stopped"})


@pytest.mark.parametrize("planted, expected", [
    (dict(content=json.dumps({"instance_id": "i-other", "previous_status": "Stopped"})), 'it is about instance "i-other"'),
    (dict(content=json.dumps({"instance_id": INSTANCE, "previous_status": "Stopped; rm -rf"})), "is not one of Running"),
    (dict(content=json.dumps({"instance_id": INSTANCE, "previous_status": "Running", "to_attach": "eni-a"})),
     "are not lists of ENI IDs"),
    (dict(content='{"instance_id": '), "is not JSON"),
    (dict(content=VALID, mode=0o666), "writable by its group or by everyone (mode 0666)"),
    (dict(content=" " * (64 * 1024 + 1)), "more than a journal ever holds"),
    ("link", "is a symbolic link"),
], ids=["other instance", "odd status", "odd lists", "not JSON", "writable by all", "too large", "link"])
def test_an_untrusted_journal_is_refused_named_and_left_as_found(tmp_path, capsys, planted, expected):
    folder = tmp_path / "windows"
    if planted == "link":
        target = tmp_path / "elsewhere.json"
        target.write_text(VALID)
        path = plant(folder, link_to=target)
    else:
        path = plant(folder, **planted)
    before = os.lstat(str(path))
    result = run(capsys, instance_id=INSTANCE, journal_dir=str(folder))
    assert result["failed"] is True and result["error_code"] == "JournalRefused"
    assert expected in result["msg"] and str(path) in result["msg"] and INSTANCE in result["msg"]
    assert os.lstat(str(path)) == before


@pytest.mark.parametrize("mode", [0o777 | stat.S_ISVTX, 0o770])
def test_a_folder_others_can_write_to_is_refused_for_reading_and_writing_and_its_mode_kept(tmp_path, capsys, mode):
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(str(folder), mode)
    for result in (run(capsys, instance_id=INSTANCE, journal_dir=str(folder)), write(capsys, folder)):
        assert result["failed"] is True and result["error_code"] == "JournalRefused"
        assert "writable by its group or by everyone (mode %04o)" % mode in result["msg"]
    assert os.listdir(str(folder)) == []
    assert stat.S_IMODE(os.stat(str(folder)).st_mode) == mode


def test_a_window_opens_only_from_a_status_a_journal_can_hold_and_check_mode_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "windows"
    refused = write(capsys, folder, previous_status="Rebooting")
    assert refused["failed"] is True and "Nothing was stopped" in refused["msg"] and "Rebooting" in refused["msg"]
    checked = write(capsys, folder, check_mode=True)
    assert checked["changed"] is True and checked.get("failed") is not True
    assert not os.path.exists(str(folder))


def test_an_id_that_walks_out_of_the_folder_is_refused_before_any_path_is_built(tmp_path, capsys):
    result = write(capsys, tmp_path / "windows", instance_id="../victim", to_attach=["eni new"])
    assert result["failed"] is True and result["msg"].startswith("Invalid input, nothing was done:")
    assert "'../victim'" in result["msg"] and "contains whitespace" in result["msg"]
    assert not os.path.exists(str(tmp_path / "windows"))


def test_a_journal_that_cannot_be_written_or_removed_fails_with_its_own_code(tmp_path, capsys):
    folder = tmp_path / "windows"
    folder.mkdir(mode=0o700)
    (folder / ("%s.json" % INSTANCE)).mkdir()  # a folder in the journal's place: neither replaced nor removed, even by root
    (folder / ("%s.json" % INSTANCE) / "kept").write_text("")
    written = write(capsys, folder)
    assert written["failed"] is True and written["error_code"] == "JournalNotWritten"
    assert "nothing was stopped" in written["msg"]
    removed = run(capsys, instance_id=INSTANCE, journal_dir=str(folder), state="absent")
    assert removed["failed"] is True and removed["error_code"] == "JournalNotRemoved"
    assert "could not be removed" in removed["msg"] and "put back the ENIs it changed" in removed["msg"]
    assert os.path.isdir(str(folder / ("%s.json" % INSTANCE)))
    assert sorted(os.listdir(str(folder))) == ["%s.json" % INSTANCE]  # no temporary file left behind
