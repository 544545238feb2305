#!/usr/bin/env bash
# Debian packages the project uses: WordNet for NLTK, tmux for the terminal end-to-end test,
# Chromium for rendering the HTML report, bubblewrap for sandboxing student code.
set -euo pipefail
packages=(wordnet-base wordnet-sense-index tmux chromium bubblewrap)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  echo "install-system-packages: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-system-packages: please install: sudo apt-get install ${missing[*]}" >&2
  echo "  (continuing; 'quiz doctor' reports what is missing)" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
