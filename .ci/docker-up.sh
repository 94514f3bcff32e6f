#!/usr/bin/env bash
# Starts a Docker engine if none answers, and makes the local base images the apps (and compose's HAProxy) build FROM.
# No container registry is reachable here, so python:3.9-slim and haproxy:latest cannot be pulled: we debootstrap
# minimal Debians (one with python3-flask, one with haproxy) and import them. Each is reused when it already exists.
set -euo pipefail
BASE_IMAGE="${LAB_BASE_IMAGE:-haproxy-lab/python-flask:bookworm}"
HAPROXY_IMAGE="${LAB_HAPROXY_IMAGE:-haproxy-lab/haproxy:bookworm}"

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

# make_image NAME PACKAGES CMD_JSON: debootstrap bookworm with PACKAGES and import it as NAME with CMD_JSON.
make_image() {
  local name="$1" packages="$2" cmd="$3"
  if docker image inspect "$name" >/dev/null 2>&1; then
    echo "docker-up: base image $name already present"
    return 0
  fi
  local dir
  dir=$(mktemp -d /tmp/lab-rootfs.XXXXXX)
  echo "docker-up: debootstrapping a minimal Debian with $packages into $dir (about a minute)"
  if ! debootstrap --variant=minbase --include="$packages" bookworm "$dir" >/tmp/lab-debootstrap.log 2>&1; then
    tail -20 /tmp/lab-debootstrap.log >&2
    rm -rf "$dir"
    return 1
  fi
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import -c "CMD $cmd" - "$name" >/dev/null
  rm -rf "$dir"
  echo "docker-up: imported $name"
}

make_image "$BASE_IMAGE" python3-flask,python-is-python3 '["python3"]'
# The official haproxy image reads /usr/local/etc/haproxy/haproxy.cfg; ours does the same so Dockerfile.haproxy fits both.
if [ "${LAB_SKIP_HAPROXY_IMAGE:-}" != 1 ]; then
  make_image "$HAPROXY_IMAGE" haproxy '["haproxy","-W","-db","-f","/usr/local/etc/haproxy/haproxy.cfg"]'
fi
