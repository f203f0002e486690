#!/usr/bin/env bash
# Build the collection tarball, install it into a throw-away directory and use it from outside
# the source tree: ansible-doc on a module and an ad-hoc run of alibabacloud.ens.ens_eni_info
# (by FQCN) against a freshly started simulator.
#
# Usage: hacking/build_install_smoke.sh        (run by `make build-install`)
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
venv="$src/.venv"
build="${ENS_BUILD_DIR:-$src/.build}"
dist="$build/dist"
export PATH="$venv/bin:$PATH"

namespace=alibabacloud
name=ens
version="$("$venv/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$src/galaxy.yml")"
tarball="$dist/$namespace-$name-$version.tar.gz"

# Build from the staged copy: it holds exactly the tracked + untracked-not-ignored files, so
# nothing git ignores can reach the tarball even if build_ignore misses it.
"$src/hacking/stage_collection.sh" "$build" >/dev/null
staged="$build/ansible_collections/$namespace/$name"
mkdir -p "$dist"
rm -f "$tarball"
ansible-galaxy collection build --force --output-path "$dist" "$staged"

echo "--- checking the tarball for local caches"
listing="$(tar -tzf "$tarball")"
bad="$(grep -E '(^|/)(\.venv|\.build|\.cache|\.ansible|\.git|\.pytest_cache|__pycache__|\.tox|\.molecule|collections)(/|$)|^tests/output/|\.pyc$|\.tar\.gz$|integration_config\.yml$' <<<"$listing" || true)"
if [ -n "$bad" ]; then
    echo "the tarball carries files that must not be shipped:" >&2
    echo "$bad" >&2
    exit 1
fi
# galaxy.yml becomes MANIFEST.json in the tarball.
for required in MANIFEST.json FILES.json meta/runtime.yml README.md LICENSE; do
    if ! grep -qx "$required" <<<"$listing"; then
        echo "the tarball lacks $required" >&2
        exit 1
    fi
done
echo "$(grep -vc '/$' <<<"$listing") files, no local caches"

work="$(mktemp -d "${TMPDIR:-/tmp}/ens-build-install.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

echo "--- installing $tarball into $work/collections"
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
ansible-galaxy collection install --force -p "$work/collections" "$tarball"

# From here on: run from outside the source tree, seeing only the installed copy.
cd "$work"
export ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_HOME="$work/ansible-home"
unset ANSIBLE_CONFIG

echo "--- ansible-galaxy collection list"
ansible-galaxy collection list "$namespace.$name"

echo "--- ansible-doc $namespace.$name.ens_eni_info"
ansible-doc "$namespace.$name.ens_eni_info" > "$work/doc.txt"
head -n 5 "$work/doc.txt"

echo "--- ad-hoc run of $namespace.$name.ens_eni_info against the simulator"
# Credentials and endpoint through the standard environment variables, which the module
# reads as fallbacks; the local connection hands the environment to the module.
# SMOKE_MODULE_ARGS (default: none) adds module arguments.
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIsimulatorKey0001
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=simSecret-Q7v9Xk2pRt
# shellcheck disable=SC2016  # the inner script expands its own variables
"$src/hacking/with_simulator.sh" --state-dir "$build/smoke-sim" -- bash -c '
    set -euo pipefail
    export ALIBABA_CLOUD_ENS_ENDPOINT="$ENS_SIM_URL"
    ansible localhost -i "localhost," -c local \
        -e "ansible_python_interpreter=$1" \
        -m alibabacloud.ens.ens_eni_info ${3:+-a "$3"} \
        | tee "$2/adhoc.out"
    grep -q "SUCCESS" "$2/adhoc.out"
' smoke "$venv/bin/python" "$work" "${SMOKE_MODULE_ARGS:-}"
echo "build-install smoke test passed"
