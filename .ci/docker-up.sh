#!/usr/bin/env bash
# Starts a Docker engine if none answers, and makes the local Python+Flask base image the apps build FROM.
# No container registry is reachable here, so python:3.9-slim cannot be pulled: we debootstrap a minimal
# Debian with python3-flask and import it. Reused when it already exists.
set -euo pipefail
BASE_IMAGE="${LAB_BASE_IMAGE:-haproxy-lab/python-flask:bookworm}"

if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "docker-up: dockerd is not installed (apt-get install -y docker.io)" >&2
    exit 1
  fi
  echo "docker-up: starting dockerd"
  nohup dockerd --storage-driver=overlay2 >/var/log/dockerd-lab.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "docker-up: dockerd did not come up; see /var/log/dockerd-lab.log" >&2; tail -20 /var/log/dockerd-lab.log >&2; exit 1; }
fi

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "docker-up: base image $BASE_IMAGE already present"
  exit 0
fi

dir=$(mktemp -d /tmp/lab-rootfs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "docker-up: debootstrapping a minimal Debian with python3-flask into $dir (about a minute)"
debootstrap --variant=minbase --include=python3-flask,python-is-python3 bookworm "$dir" >/tmp/lab-debootstrap.log 2>&1 \
  || { tail -20 /tmp/lab-debootstrap.log >&2; exit 1; }
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
tar -C "$dir" -c . | docker import -c 'CMD ["python3"]' - "$BASE_IMAGE" >/dev/null
echo "docker-up: imported $BASE_IMAGE"
