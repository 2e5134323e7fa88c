#!/usr/bin/env bash
# Make Debian's Chromium available for the browser tests. Installs it when missing and we can
# (root or passwordless sudo); otherwise says how, loudly, and the browser tests skip themselves.
set -u
if [ -n "${TRAINER_CHROMIUM:-}" ] && [ -x "${TRAINER_CHROMIUM}" ]; then exit 0; fi
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$candidate" ]; then
    if ! fc-list 2>/dev/null | grep -qi "cjk"; then
      echo "note: no CJK font found; Chinese screenshots may show boxes (apt-get install fonts-noto-cjk)."
    fi
    exit 0
  fi
done
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
fi
if [ "$SUDO" != "none" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium from Debian's packages for the browser tests..."
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null 2>&1; then
    echo "Chromium installed."
    exit 0
  fi
fi
cat <<'MSG'
************************************************************************
*  Chromium is not installed and could not be installed automatically. *
*  The BROWSER TESTS WILL BE SKIPPED. To run them, install it with:    *
*      sudo apt-get install chromium fonts-noto-cjk                     *
*  or set TRAINER_CHROMIUM=/path/to/chromium.                          *
************************************************************************
MSG
exit 0
