#!/usr/bin/env bash
# Builds the farm's image, actorfarm:latest (IMAGE to change it), for docker-compose.yml:
# the base image when missing (build-base-image.sh), a self-contained publish of the farm, `docker build`.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-actorfarm:latest}

scripts/build-base-image.sh
echo "docker-build: dotnet publish src/Farm.Node (self-contained linux-x64) -> artifacts/docker/farm" >&2
rm -rf artifacts/docker/farm
dotnet publish src/Farm.Node -c Release -r linux-x64 --self-contained -o artifacts/docker/farm -nologo -v quiet >&2
echo "docker-build: docker build -t $IMAGE ." >&2
previous=$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# The legacy builder (no buildx here) warns that it is deprecated on every build: show its output only on failure.
out=$(docker build -q -t "$IMAGE" . 2>&1) || { echo "$out" >&2; echo "docker-build: docker build failed" >&2; exit 1; }
# The image this tag named before, now untagged: remove it (kept if a container still uses it).
current=$(docker image inspect --format '{{.Id}}' "$IMAGE")
[[ -z $previous || $previous == "$current" ]] || docker rmi "$previous" >/dev/null 2>&1 || true
echo "docker-build: built $IMAGE" >&2
