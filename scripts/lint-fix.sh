#!/usr/bin/env bash
# Apply the fixes ruff can make by itself, then show what is left for hand work.
#
#   bash scripts/lint-fix.sh            safe fixes + formatter, whole tree
#   bash scripts/lint-fix.sh --unsafe   also the "unsafe" fixes of the rules listed below,
#                                       which were read and judged behaviour-preserving here
#   bash scripts/lint-fix.sh PATH...    only these files or folders
#
# Run it once, after the module moves of issue 13 are merged, on a clean tree, and commit
# the result on its own ("ruff format + ruff check --fix, no other change") so that
# `git blame --ignore-rev` can skip it (add the commit to .git-blame-ignore-revs).
# Then run the test suite: the fixes are mechanical but the suite is the proof.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUFF=.venv/bin/ruff
[ -x "$RUFF" ] || { echo "lint-fix: $RUFF not found; run 'make venv' first" >&2; exit 2; }

unsafe=()
if [ "${1:-}" = "--unsafe" ]; then
    shift
    # Unsafe only in ruff's general sense (the fix could change behaviour in some
    # program); in this code base each is a rename or a literal rewrite:
    #   RUF059  unused unpacked variable  -> prefix with "_" (project, _on = ...)
    #   RUF005  [*a] + [b]                -> [*a, b]
    #   C402/C416/C420  dict(...) / comprehension rewrites
    #   UP031   "%s" % x                  -> f-string / format
    #   SIM105  try/except/pass           -> contextlib.suppress
    #   B007    unused loop variable      -> prefix with "_"
    unsafe=(--config 'lint.extend-safe-fixes = ["RUF059", "RUF005", "C402", "C416", "C420", "UP031", "SIM105", "B007"]')
fi

paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(.)

# 1. Lint fixes first (import sorting, pyupgrade, unused imports/noqa...): the formatter
#    then lays out the result.
"$RUFF" check --fix --exit-zero --silent "${unsafe[@]}" "${paths[@]}"
# 2. Format.
"$RUFF" format --quiet "${paths[@]}"
# 3. Formatting can make new fixes possible (and vice versa, import sorting after a
#    reflow); one more round settles it.
"$RUFF" check --fix --exit-zero --silent "${unsafe[@]}" "${paths[@]}"
"$RUFF" format --quiet "${paths[@]}"

echo "== left for hand work (ruff check --statistics):"
"$RUFF" check --statistics --exit-zero "${paths[@]}"
