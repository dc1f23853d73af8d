#!/usr/bin/env bash
# Install the Debian packages the project needs, but only those that are missing,
# so that a second run costs a few dpkg look-ups and never touches the network.
#
#   fonts-noto-cjk, libharfbuzz-subset0,
#   libpango-1.0-0, libpangoft2-1.0-0   WeasyPrint PDFs with Chinese text
#   fontconfig                          fc-match (tests check which font files a filing may read)
#   graphviz                            `dot`, for `make diagram`
#   chromium                            browser tests (Playwright drives /usr/bin/chromium;
#                                       never run `playwright install`)
#   poppler-utils                       pdftoppm, to look at generated PDFs in tests
#   gettext                             msgfmt, for `manage.py compilemessages`
#   postgresql-15                       server binaries for scripts/with-postgres.sh
#
# Needs root, or sudo when run as an ordinary user (only if something is missing).
set -euo pipefail

PACKAGES=(
    fonts-noto-cjk
    libharfbuzz-subset0
    libpango-1.0-0
    libpangoft2-1.0-0
    fontconfig
    graphviz
    chromium
    poppler-utils
    gettext
    postgresql-15
)

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "ensure-system-packages: this script expects Debian 12 (bookworm) with dpkg/apt-get." >&2
    exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "ensure-system-packages: all ${#PACKAGES[@]} Debian packages present."
    exit 0
fi

echo "ensure-system-packages: installing ${missing[*]}"

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "ensure-system-packages: missing packages (${missing[*]}) and neither root nor sudo." >&2
    echo "Install them as root:  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" </dev/null

still_missing=()
for pkg in "${missing[@]}"; do
    is_installed "$pkg" || still_missing+=("$pkg")
done
if [ "${#still_missing[@]}" -ne 0 ]; then
    echo "ensure-system-packages: still missing after apt-get: ${still_missing[*]}" >&2
    exit 1
fi
echo "ensure-system-packages: done."
