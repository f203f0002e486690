#!/usr/bin/env bash
# Prove the collection on one ansible-core minor version: sanity, units and the smoke integration target
# ens_smoke (attach, detach, one eni_change window) against the simulator, with that version's ansible-test, in a venv of
# its own (<build>/venvs/core-<X.Y>, reused while hacking/requirements-compat.txt is unchanged) and a
# staged copy of its own (<build>/compat/<X.Y>).
#
# Usage: hacking/compat.sh X.Y [PART...]     PART: sanity units integration (default: all three)
#        COMPAT_TARGETS="t1 t2" runs other integration targets (e.g. "ens_eni_attach ens_eni_detach ens_roles").
#        COMPAT_SKIP_SAME_AS=<python>: skip sanity and units when that python's ansible-core is the same
#        version (set by `make test`, whose sanity and units stages ran them already).
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
build="${ENS_BUILD_DIR:-$src/.build}"
version="${1:?usage: compat.sh X.Y [sanity] [units] [integration]}"
shift
parts="${*:-sanity units integration}"
targets="${COMPAT_TARGETS:-ens_smoke}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"

if ! [[ "$version" =~ ^2\.([0-9]+)$ ]]; then
    echo "compat.sh: version must look like 2.16, not '$version'" >&2
    exit 2
fi
next="2.$(( BASH_REMATCH[1] + 1 ))"
venv="$build/venvs/core-$version"
stamp="$venv/.compat-installed"

# The venv: ansible-core X.Y (newest patch release) with the runtime and unit-test needs.
if [ ! -f "$stamp" ] || [ "$src/hacking/requirements-compat.txt" -nt "$stamp" ] || [ "$src/requirements.txt" -nt "$stamp" ]; then
    echo "--- compat $version: creating $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "ansible-core>=$version,<$next" -r "$src/hacking/requirements-compat.txt"
    touch "$stamp"
fi
core="$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')"
case "$core" in "$version".*) ;; *) echo "compat.sh: $venv has ansible-core $core, not $version" >&2; exit 1 ;; esac
echo "--- compat $version: ansible-core $core"

# Within `make test`, sanity and units have already run on the main venv's ansible-core: on the very
# same version they would be repeated word for word, so only the smoke run in this fresh venv is left.
if [ -n "${COMPAT_SKIP_SAME_AS:-}" ] \
    && [ "$("$COMPAT_SKIP_SAME_AS" -c 'from ansible.release import __version__; print(__version__)')" = "$core" ]; then
    parts="$(tr ' ' '\n' <<<"$parts" | grep -Ev '^(sanity|units)$' | tr '\n' ' ' | sed 's/ *$//')"
    echo "--- compat $version: sanity and units already ran on ansible-core $core in this make test; running: ${parts:-nothing}"
fi

# The pip bootstrap that this version's ansible-test sanity pins, offline.
"$src/hacking/install_offline_get_pip.sh" "$venv/bin/python"

stage_root="$build/compat/$version"
"$src/hacking/stage_collection.sh" "$stage_root" >/dev/null
staged="$stage_root/ansible_collections/alibabacloud/ens"
export PATH="$venv/bin:$PATH"

for part in $parts; do
    echo "--- compat $version: $part"
    case "$part" in
        sanity) (cd "$staged" && ansible-test sanity --local --python 3.11) ;;
        units) (cd "$staged" && ansible-test units --local --python 3.11) ;;
        integration)
            # shellcheck disable=SC2086  # the target list is split on purpose
            ENS_BUILD_DIR="$stage_root" ENS_ANSIBLE_TEST="$venv/bin/ansible-test" \
                "$src/hacking/with_simulator.sh" --state-dir "$stage_root/sim" -- \
                "$src/hacking/run_integration.sh" $targets ;;
        *) echo "compat.sh: unknown part '$part'" >&2; exit 2 ;;
    esac
done
echo "--- compat $version: $parts passed on ansible-core $core"
