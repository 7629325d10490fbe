#!/usr/bin/env bash
# The test command (README, Quick start; .ci/run calls it too): installs what the suite needs and the
# machine lacks, then runs `dotnet test` with a guard against hung tests. Arguments go to `dotnet test`
# (e.g. scripts/test.sh --filter FullyQualifiedName~Partition).
#
# What the suite needs beyond the .NET SDK, all Debian packages:
#   iproute2, iptables  the partition tests put a node in a network namespace and cut it off (as root)
#   postgresql          the PostgreSQL journal test starts a private server from its binaries (initdb, pg_ctl)
#   chromium            the dashboard test opens the page in a real headless browser (Playwright drives /usr/bin/chromium)
# As root they are installed with apt-get when missing; otherwise with sudo when it needs no password.
# When they cannot be installed the script says so and runs the tests anyway: the tests that need a
# missing tool fail and name it (they never skip), so nothing passes by testing less.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# ip and iptables live in /usr/sbin, which a non-login PATH (sudo -u, cron, some containers) lacks.
export PATH="$PATH:/usr/sbin:/sbin"

log() { echo "test.sh: $*" >&2; }

if ! command -v dotnet >/dev/null 2>&1; then
  log "the .NET 10 SDK is not on PATH (https://dot.net); nothing else can be installed for you"
  exit 1
fi

missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) == 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
  if [[ ${as_root[0]:-} == none ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "cannot install ${missing[*]} here (needs apt-get as root, or sudo without a password);" \
        "the tests that need them will fail and say what is missing"
  else
    log "installing ${missing[*]} (apt-get)"
    apt_log=$(mktemp)
    if "${as_root[@]}" apt-get update -qq >"$apt_log" 2>&1 &&
       "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$apt_log" 2>&1; then
      log "installed ${missing[*]}"
    else
      tail -n 20 "$apt_log" >&2
      log "apt-get could not install ${missing[*]}; the tests that need them will fail and say what is missing"
    fi
    rm -f "$apt_log"
  fi
fi

# A hung test becomes a failure with a dump after 5 minutes, instead of a run that never ends.
exec dotnet test --blame-hang-timeout 5m "$@"
