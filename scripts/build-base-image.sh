#!/usr/bin/env bash
# Builds the Dockerfile's base image, mcr.microsoft.com/dotnet/runtime-deps:10.0, locally when it is missing.
#
# No image registry is reachable on the project's machines, so the image is made here instead of pulled:
# a minimal Debian bookworm (debootstrap --variant=minbase, from the Debian mirror apt is configured with)
# plus the native libraries a self-contained .NET app needs, imported with `docker import` under the tag
# the Dockerfile names. Where the real image can be pulled, this script is not needed.
#
# Skips when the image exists. The root filesystem tarball is cached (ACTORFARM_CACHE, default
# /var/cache/actorfarm), keyed by suite and package list, so a rerun after `docker rmi` takes seconds.
# Needs root (debootstrap, apt-get) and a running Docker engine.
set -euo pipefail

IMAGE=${BASE_IMAGE:-mcr.microsoft.com/dotnet/runtime-deps:10.0}
SUITE=bookworm
# What .NET needs at run time (https://learn.microsoft.com/dotnet/core/install/linux-debian#dependencies).
# libc6, libgcc-s1, libstdc++6 and zlib1g come with minbase already; they are named so the list is whole.
PACKAGES=libc6,libgcc-s1,libstdc++6,libicu72,libssl3,zlib1g,ca-certificates,tzdata
CACHE=${ACTORFARM_CACHE:-/var/cache/actorfarm}
TARBALL="$CACHE/rootfs-$SUITE-$(printf '%s' "$PACKAGES" | sha1sum | cut -c1-12).tar"

log() { echo "build-base-image: $*" >&2; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE exists; nothing to do"
  exit 0
fi

# The Debian mirror apt uses: a 'URIs:' line (deb822 .sources) or a 'deb URI suite' line (.list),
# skipping the security archive, which carries no full suite.
debian_mirror() {
  local files=() f uri
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] && files+=("$f")
  done
  ((${#files[@]})) || return 0
  uri=$(grep -hE '^\s*URIs:' "${files[@]}" 2>/dev/null | awk '{for (i = 2; i <= NF; i++) print $i}' \
        | grep -E '/debian/?$' | head -n1 || true)
  if [[ -z $uri ]]; then
    uri=$(grep -hE '^\s*deb\s' "${files[@]}" 2>/dev/null | sed -E 's/\[[^]]*\]//' | awk '{print $2}' \
          | grep -E '/debian/?$' | head -n1 || true)
  fi
  printf '%s' "${uri%/}"
}

if [[ ! -s $TARBALL ]]; then
  [[ $(id -u) == 0 ]] || { log "debootstrap needs root"; exit 1; }
  mkdir -p "$CACHE"
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y --no-install-recommends debootstrap \
      || { apt-get update && apt-get install -y --no-install-recommends debootstrap; }; } >"$CACHE/apt.log" 2>&1 \
      || { tail -n 20 "$CACHE/apt.log" >&2; log "apt-get install debootstrap failed"; exit 1; }
  fi
  MIRROR=${DEBIAN_MIRROR:-$(debian_mirror)}
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
  ROOTFS=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  trap 'rm -rf "$ROOTFS"' EXIT
  log "debootstrap --variant=minbase $SUITE from $MIRROR (a few minutes)"
  start=$SECONDS
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -n 30 "$CACHE/debootstrap.log" >&2; log "debootstrap failed (log: $CACHE/debootstrap.log)"; exit 1; }
  log "debootstrap took $((SECONDS - start)) s"
  # Slim it: package caches and lists, docs, man pages, locales other than C.
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
         "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/log/*
  tar --numeric-owner -C "$ROOTFS" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$ROOTFS"
  trap - EXIT
else
  log "using cached root filesystem $TARBALL"
fi

docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
  --change 'CMD ["bash"]' \
  --message "debootstrap $SUITE minbase + .NET runtime dependencies (scripts/build-base-image.sh)" \
  "$TARBALL" "$IMAGE" >/dev/null
log "imported $IMAGE ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1 / 1e6}'))"
