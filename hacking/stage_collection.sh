#!/usr/bin/env bash
# Copy the collection into <dest>/ansible_collections/alibabacloud/ens/
# (default dest: $ENS_BUILD_DIR, else .build).
#
# ansible-test only runs from a real (not symlinked) .../ansible_collections/<ns>/<name>/ tree,
# and ansible-lint / molecule / ansible-playbook resolve the FQCNs through
# ANSIBLE_COLLECTIONS_PATH=<dest>.  The copy holds exactly what belongs to the collection:
# in a git checkout the tracked files plus untracked files that are not ignored
# (`git ls-files -co --exclude-standard`), otherwise everything minus local caches.
# The staged tree is replaced on every run so deleted files do not linger.  It gets an empty git
# repository of its own (see below); it has no link to the source repository's .git.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
dest="${1:-${ENS_BUILD_DIR:-$src/.build}}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd -P)"
target="$dest/ansible_collections/alibabacloud/ens"

rm -rf "$target"
mkdir -p "$target"

list="$(mktemp)"
trap 'rm -f "$list"' EXIT

cd "$src"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 \
    && [ "$(git -C "$src" rev-parse --show-toplevel)" = "$src" ]; then
    # -z keeps odd file names intact; files deleted from the work tree but still in the index
    # are skipped.
    git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
        if [ -f "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done > "$list"
else
    find . \
        \( -name .git -o -name .venv -o -name .build -o -name .cache -o -name .ansible \
           -o -name .tox -o -name .pytest_cache -o -name __pycache__ -o -name .mypy_cache \
           -o -name .molecule -o -path ./tests/output -o -path ./collections \) -prune \
        -o \( -type f -o -type l \) ! -name '*.pyc' ! -name '*.tar.gz' \
           ! -path ./tests/integration/integration_config.yml -print0 \
        | sed -z 's#^\./##' > "$list"
fi

tar -C "$src" --null -T "$list" -cf - | tar -C "$target" -xf -

# ansible-test lists content with `git ls-files` from the nearest enclosing .git.  Inside this
# checkout that would be the source repo, where .build/ is ignored, and every target would be
# skipped.  An empty repository of its own (nothing added, nothing committed) makes every staged
# file "untracked, not ignored", i.e. visible.  ansible-galaxy build never packs .git.
if command -v git >/dev/null 2>&1; then
    git -C "$target" init -q
fi

count="$(tr -cd '\0' < "$list" | wc -c)"
echo "staged $count files into $target"
