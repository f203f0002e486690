#!/usr/bin/env bash
# Let `ansible-test sanity` bootstrap pip without the network it expects.
#
# ansible-test runs ~/.ansible/test/cache/get_pip_<X_Y>.py in each private virtualenv it
# creates, and downloads that script from a host unreachable here when it is missing.
# This installs hacking/offline_get_pip.py at that path and, next to it, the wheels of the
# packages that ansible-test bootstraps: pip==<X.Y>, and for ansible-core 2.16/2.17 also
# setuptools and wheel (fetched once from PyPI into .cache/wheels).  The versions are read from
# the given venv's ansible-test, so each core version gets its own bootstrap
# (get_pip_23_1_2.py for 2.16/2.17, get_pip_24_2.py for 2.18/2.19).
#
# Usage: hacking/install_offline_get_pip.sh [venv-python]
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
py="${1:-$src/.venv/bin/python}"

# "pip==24.2" or "pip==23.1.2 setuptools==67.7.2 wheel==0.37.1": get_venv_packages()'s defaults.
packages="$("$py" - <<'PYEOF'
import os, re, ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
with open(path) as f:
    m = re.search(r"default_packages = dict\(([^)]*)\)", f.read())
pins = re.findall(r"""\b([a-z]+)=['"]([0-9][^'"]*)['"]""", m.group(1)) if m else []
if not any(name == 'pip' for name, _ in pins):
    raise SystemExit('cannot find the bootstrap pip version in %s' % path)
print(' '.join('%s==%s' % pin for pin in pins))
PYEOF
)"
pip_version="$(tr ' ' '\n' <<<"$packages" | sed -n 's/^pip==//p')"

cache_dir="${HOME}/.ansible/test/cache"
wheel_cache="$src/.cache/wheels"
script="$cache_dir/get_pip_${pip_version//./_}.py"

mkdir -p "$cache_dir/offline-pip-wheels" "$wheel_cache"

for pin in $packages; do
    name="${pin%%==*}"
    version="${pin#*==}"
    wheel_glob="${name}-${version}-py*-none-any.whl"
    if ! compgen -G "$cache_dir/offline-pip-wheels/$wheel_glob" >/dev/null; then
        if ! compgen -G "$wheel_cache/$wheel_glob" >/dev/null; then
            echo "fetching $pin from PyPI for offline ansible-test sanity"
            "$py" -m pip download --disable-pip-version-check --quiet --no-deps --only-binary=:all: \
                -d "$wheel_cache" "$pin"
        fi
        # shellcheck disable=SC2086  # the glob must expand
        cp $wheel_cache/$wheel_glob "$cache_dir/offline-pip-wheels/"
    fi
done

if ! cmp -s "$src/hacking/offline_get_pip.py" "$script"; then
    cp "$src/hacking/offline_get_pip.py" "$script"
    echo "installed offline pip $pip_version bootstrap script at $script"
fi
