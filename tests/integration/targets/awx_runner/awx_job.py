# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the collection's playbooks through ansible-runner the way AWX runs a job template.

AWX renders the credential type's injectors with the credential's inputs into environment variables,
turns the survey answers into extra vars (env/extravars of the job's private data directory), and hands
everything to ansible-runner, which runs ansible-playbook. This script does the same with the shipped
extensions/awx/credential_type_ens.yml and extensions/awx/surveys/*.yml against the ENS simulator:

1. job "swap" on localhost, survey answers as AWX sends them (comma-separated ENI lists);
2. the same job with the optional answers left blank, in the three forms AWX versions use ("", null, omitted);
3. an inventory update through ansible-runner (ansible-inventory on an alibabacloud.ens.ens source with the
   credential's environment), then job "swap" over the hosts it printed, handed to the job as an inventory
   script the way AWX hands its stored inventory to a job, with forks 5 and batch_size 2;
4. job "converge" in check mode (job type Check) over that inventory, declared sets from the source's compose:
   the drift report as a file and as the job's artifact, no mutating call.

Usage: python awx_job.py COLLECTION_ROOT INTEGRATION_CONFIG WORK_DIR
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time

import ansible_runner
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

# ansible-test runs this from a copy of the target: the simulator package is in the collection under test
sys.path[:0] = [os.path.join(path, "ansible_collections", "alibabacloud", "ens", "tests", "simulator")
                for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path]
from ens_simulator.control_client import ControlClient  # noqa: E402 pylint: disable=wrong-import-position

INSTANCES = ["i-awx-%04d" % n for n in range(1, 7)]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Simulator(ControlClient):
    """The simulator's control client, with this job's fleet and reads."""

    def reset_fleet(self):
        # six running instances, each with a primary ENI, one attached secondary (-s1) and two free ENIs (-a, -b)
        self.reset(fleet={
            "transition_seconds": {"attach": 0.2, "detach": 0.2, "stop": 0.3, "start": 0.3},
            "generate": {"instances": len(INSTANCES), "prefix": "awx", "secondary_enis_per_instance": 1,
                         "free_enis_per_instance": 2, "network_id": "n-awx"},
        })

    def call_log(self):
        return self.calls()["calls"]

    def enis_of(self, instance_id):
        state = self.state()
        return sorted(eni_id for eni_id, eni in state["network_interfaces"].items()
                      if eni.get("InstanceId") == instance_id and eni.get("Status") == "InUse")

    def status_of(self, instance_id):
        return self.state()["instances"][instance_id]["Status"]


# -- AWX material ---------------------------------------------------------------------------------------

def load_credential_type(root):
    with open(os.path.join(root, "extensions", "awx", "credential_type_ens.yml")) as f:
        credential_type = yaml.safe_load(f)
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    check(credential_type["kind"] == "cloud", "a custom credential type must be of kind cloud (or net)")
    check(set(fields) == {"access_key_id", "access_key_secret", "security_token", "region_id", "endpoint"},
          "credential type fields: %s" % sorted(fields))
    check({i for i, f in fields.items() if f.get("secret")} == {"access_key_secret", "security_token"},
          "exactly the AccessKey secret and the STS token are secret fields")
    check(set(credential_type["inputs"]["required"]) == {"access_key_id", "access_key_secret"}, "required inputs")
    check(set(credential_type["injectors"]) == {"env"}, "only environment variables are injected, never extra vars")
    check(set(credential_type["injectors"]["env"]) == {
        "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_ENS_ENDPOINT"}, "injected variables")
    return credential_type


def inject(credential_type, inputs):
    """What AWX does with a credential: render each env injector in a sandbox, missing inputs as empty strings."""
    sandbox = ImmutableSandboxedEnvironment()
    namespace = {key: value for key, value in inputs.items() if value is not None}
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"]["env"].items()}


def playbook_vars(path):
    """The extra vars a playbook documents in its header comment ('#   name   description')."""
    names = set()
    with open(path) as f:
        for line in f:
            if line.startswith("---"):
                continue
            if not line.startswith("#"):
                break
            match = re.match(r"#   ([a-z_]+) +\S", line)
            if match:
                names.add(match.group(1))
    return names


def load_survey(root, playbook):
    with open(os.path.join(root, "extensions", "awx", "surveys", playbook + ".yml")) as f:
        survey = yaml.safe_load(f)
    variables = [question["variable"] for question in survey["spec"]]
    # batch_mode is not asked: its default (the batch over an inventory, one host on localhost) suits every job.
    documented = playbook_vars(os.path.join(root, "playbooks", playbook + ".yml")) - {"batch_mode"}
    check(set(variables) == documented,
          "survey %s asks %s, the playbook documents %s" % (playbook, sorted(variables), sorted(documented)))
    for question in survey["spec"]:
        check(question["type"] in ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"),
              "survey type %s" % question["type"])
        if question["type"] in ("integer", "multiplechoice"):
            check(question["required"] and question.get("default") not in (None, ""),
                  "%s: numbers and choices are required with a default" % question["variable"])
        if question["type"] == "multiplechoice":
            check(str(question["default"]) in question["choices"], "%s: default among the choices" % question["variable"])
    return survey


def survey_answers(survey, answers, blank="empty"):
    """The extra vars AWX sends for a survey: each answer, else the default; a blank optional text question is
    sent as "" (blank="empty"), null (blank="null", AWX 24) or not at all (blank="omit", newer AWX)."""
    extra = {}
    for question in survey["spec"]:
        name = question["variable"]
        value = answers.get(name, question.get("default", ""))
        if value in ("", None) and not question["required"]:
            if blank == "omit":
                continue
            value = None if blank == "null" else ""
        if question["type"] == "integer" and value not in ("", None):
            value = int(value)
        extra[name] = value
    return extra


# -- jobs ---------------------------------------------------------------------------------------------------

def private_data_dir(work, name, extravars):
    """A job's private data directory as AWX writes it: extra vars in env/extravars."""
    path = os.path.join(work, name)
    os.makedirs(os.path.join(path, "env"), exist_ok=True)
    with open(os.path.join(path, "env", "extravars"), "w") as f:
        yaml.safe_dump(extravars, f)
    return path


def run_job(work, name, root, playbook, envvars, extravars, inventory=None, forks=5, must_succeed=True, cmdline=None):
    started = time.time()
    # The job template's own extra var, as docs/awx.md advises: the journal lives in the job's work folder.
    extravars = dict(extravars, eni_change_journal_dir=os.path.join(work, "journal"))
    result = ansible_runner.run(
        private_data_dir=private_data_dir(work, name, extravars),
        project_dir=os.path.join(root, "playbooks"),
        playbook=playbook + ".yml",
        inventory=inventory,
        envvars=envvars,
        forks=forks,
        cmdline=cmdline,
        quiet=True,
        settings={"suppress_ansible_output": True},
    )
    stdout = result.stdout.read()
    events = list(result.events)
    stats = result.stats
    print("--- job %s: %s (rc %s), %d events, %.1f s" % (name, result.status, result.rc, len(events), time.time() - started))
    # ansible-runner keeps the job's full environment (the injected AccessKey secret included) in
    # artifacts/<ident>/command, as AWX's own job records would: once read, the artifacts go.
    forget_job(os.path.join(work, name))
    if must_succeed:
        if result.status != "successful":
            print(stdout)
        check(result.status == "successful" and result.rc == 0, "job %s: %s, rc %s" % (name, result.status, result.rc))
    return stats, stdout, events


def forget_job(path):
    """Remove what ansible-runner wrote for a job (artifacts, env files), keeping nothing that holds a secret."""
    shutil.rmtree(os.path.join(path, "artifacts"), ignore_errors=True)
    for name in ("envvars", "passwords", "ssh_key", "cmdline"):
        env_file = os.path.join(path, "env", name)
        if os.path.exists(env_file):
            os.remove(env_file)


def files_holding(folder, secret):
    """Every file under folder whose bytes contain secret."""
    needle = secret.encode()
    found = []
    for parent, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    if needle in f.read():
                        found.append(path)
    return found


def no_secret_in(events, stdout, secret, name):
    check(secret not in stdout, "job %s: the AccessKey secret is in the job output" % name)
    check(secret not in json.dumps(events), "job %s: the AccessKey secret is in a job event" % name)


def main():
    root, config_path, work = sys.argv[1:4]
    with open(config_path) as f:
        config = yaml.safe_load(f)
    sim = Simulator(config["ens_sim_url"], timeout=30)
    os.makedirs(work, exist_ok=True)

    credential_type = load_credential_type(root)
    secret = config["ens_access_key_secret"]
    # The credential as an AWX user fills it in: no STS token, no region, the simulator as endpoint.
    envvars = inject(credential_type, {"access_key_id": config["ens_access_key_id"], "access_key_secret": secret,
                                       "endpoint": config["ens_endpoint"]})
    check(envvars["ALIBABA_CLOUD_SECURITY_TOKEN"] == "" and envvars["ALIBABA_CLOUD_REGION_ID"] == "", "blank inputs")
    check(envvars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] == secret, "the secret is injected")
    surveys = {name: load_survey(root, name) for name in ("attach", "detach", "swap", "converge")}

    # 1. job template "ENS swap ENIs" on localhost
    sim.reset_fleet()
    instance = INSTANCES[0]
    extravars = survey_answers(surveys["swap"], {
        "instance_id": instance,
        "detach_network_interface_ids": "eni-awx-0001-s1",
        "attach_network_interface_ids": "eni-awx-0001-a, eni-awx-0001-b",
    })
    stats, stdout, events = run_job(work, "swap-localhost", root, "swap", envvars, extravars)
    check(stats["changed"].get("localhost"), "the swap changed something")
    check(sim.enis_of(instance) == ["eni-awx-0001-a", "eni-awx-0001-b", "eni-awx-0001-p"], sim.enis_of(instance))
    check(sim.status_of(instance) == "Running", "the instance is running again")
    no_secret_in(events, stdout, secret, "swap-localhost")

    # 2. blank optional answers: nothing to change and no mutating call, whatever form the blank takes,
    # including the null that AWX 24 sends for a blank optional text answer (ansible/awx#16205).
    for blank in ("empty", "omit", "null"):
        before = len(sim.call_log())
        extravars = survey_answers(surveys["swap"], {"instance_id": INSTANCES[1]}, blank=blank)
        stats, stdout, events = run_job(work, "swap-blank-%s" % blank, root, "swap", envvars, extravars)
        mutating = [call["action"] for call in sim.call_log()[before:] if call["mutating"]]
        check(mutating == [], "blank answers (%s) made mutating calls: %s" % (blank, mutating))

    # 3. inventory source (the plugin, with the credential's environment) and a job over it
    sim.reset_fleet()
    source = os.path.join(work, "awx.ens.yml")
    with open(source, "w") as f:
        yaml.safe_dump({
            "plugin": "alibabacloud.ens.ens",
            "instance_ids": INSTANCES[:4],
            "hostnames": ["instance_name"],
            "keyed_groups": [{"key": "ens_status", "prefix": "ens_status"}],
            "compose": {
                "ens_detach_network_interface_ids": "ens_network_interfaces | selectattr('type', 'equalto', 'Secondary')"
                                                    " | map(attribute='network_interface_id') | list",
                "ens_attach_network_interface_ids": "['eni-' ~ ens_instance_name ~ '-a']",
                # the declared state for playbooks/converge.yml (job 4)
                "ens_network_interface_ids": "['eni-' ~ ens_instance_name ~ '-a', 'eni-' ~ ens_instance_name ~ '-b']",
            },
        }, f)
    # In the work folder rather than a temporary one ansible-runner would leave behind, to be cleaned below.
    update_dir = os.path.join(work, "inventory-update")
    out, err, rc = ansible_runner.run_command(
        executable_cmd="ansible-inventory", cmdline_args=["-i", source, "--list"], envvars=dict(
            envvars, ANSIBLE_INVENTORY_UNPARSED_FAILED="true"), private_data_dir=update_dir, quiet=True)
    forget_job(update_dir)
    check(rc == 0, "inventory update failed: %s %s" % (out, err))
    listing_text = out[out.index("{"):]
    listing = json.loads(listing_text)
    check(sorted(listing["ens_status_Running"]["hosts"]) == ["awx-0001", "awx-0002", "awx-0003", "awx-0004"],
          "inventory groups: %s" % listing.get("ens_status_Running"))
    print("--- inventory update: %d hosts" % len(listing["_meta"]["hostvars"]))
    # AWX stores what the update printed and gives each job its inventory as a script printing it back
    # (values the plugin marked unsafe stay {"__ansible_unsafe": ...} objects, which Ansible reads back).
    script = os.path.join(work, "awx_inventory_script")
    with open(os.path.join(work, "awx_inventory.json"), "w") as f:
        f.write(listing_text)
    with open(script, "w") as f:
        f.write('#!/bin/sh\nif [ "$1" = "--list" ]; then cat "%s"; else echo "{}"; fi\n'
                % os.path.join(work, "awx_inventory.json"))
    os.chmod(script, 0o755)

    before = len(sim.call_log())
    extravars = survey_answers(surveys["swap"], {"target_hosts": "ens_status_Running", "batch_size": 2})
    stats, stdout, events = run_job(work, "swap-inventory", root, "swap", envvars, extravars, inventory=script, forks=5)
    no_secret_in(events, stdout, secret, "swap-inventory")
    for number, instance in enumerate(INSTANCES[:4], 1):
        expected = sorted(["eni-awx-%04d-p" % number, "eni-awx-%04d-a" % number])
        check(sim.enis_of(instance) == expected, "%s has %s" % (instance, sim.enis_of(instance)))
        check(sim.status_of(instance) == "Running", "%s is running again" % instance)
    check(sim.enis_of(INSTANCES[4]) == ["eni-awx-0005-p", "eni-awx-0005-s1"], "hosts outside the source are untouched")

    # serial: 2 = two batches of two; within a batch both windows overlap (forks), the batches do not
    # Over an inventory the playbooks change each batch in one module run: StopInstances/StartInstances name many.
    power = [(call["action"].rstrip("s"), instance) for call in sim.call_log()[before:]
             if call["action"] in ("StopInstance", "StartInstance", "StopInstances", "StartInstances") and call["code"] is None
             for instance in (call["params"].get("InstanceId") or call["params"]["InstanceIds"]).split(",")]
    first, second = set(INSTANCES[:2]), set(INSTANCES[2:4])
    positions = {key: index for index, key in enumerate(power)}
    check(len(power) == 8, "one stop and one start per instance: %s" % power)
    check(max(positions[("StartInstance", i)] for i in first) < min(positions[("StopInstance", i)] for i in second),
          "the second batch started before the first was back: %s" % power)
    check(max(positions[("StopInstance", i)] for i in first) < min(positions[("StartInstance", i)] for i in first),
          "the first batch's windows do not overlap: %s" % power)

    # 4. job template "ENS converge ENIs", job type Check: the nightly drift report, nothing changed
    before = len(sim.call_log())
    report = os.path.join(work, "drift.json")
    extravars = survey_answers(surveys["converge"], {"target_hosts": "ens_status_Running", "converge_report": report})
    stats, stdout, events = run_job(work, "converge-check", root, "converge", envvars, extravars, inventory=script,
                                    cmdline="--check")
    no_secret_in(events, stdout, secret, "converge-check")
    mutating = [call["action"] for call in sim.call_log()[before:] if call["mutating"]]
    check(mutating == [], "the drift check made mutating calls: %s" % mutating)
    with open(report) as f:
        drift = json.load(f)
    expected = {"awx-%04d" % n: {"instance_id": "i-awx-%04d" % n, "current": ["eni-awx-%04d-a" % n],
                                 "desired": ["eni-awx-%04d-a" % n, "eni-awx-%04d-b" % n], "detach": [],
                                 "attach": ["eni-awx-%04d-b" % n]} for n in range(1, 5)}
    check(drift == {"mode": "check", "hosts": 4, "in_line": [], "drifted": expected, "skipped": {}, "failed": {}},
          "drift report: %s" % drift)
    artifacts = [event["event_data"].get("artifact_data") for event in events if event.get("event") == "playbook_on_stats"]
    check(artifacts and artifacts[-1] == {"ens_converge": drift}, "job artifact: %s" % artifacts)

    # Nothing the jobs and the inventory update left in the work folder holds the secret.
    leaks = files_holding(work, secret)
    check(leaks == [], "files under %s still hold the AccessKey secret: %s" % (work, leaks))
    print("--- no file under %s holds the AccessKey secret" % work)
    print("--- AWX runner test passed")


if __name__ == "__main__":
    main()
