#!/usr/bin/env python3
"""Times whole processes for the bench's start-up scenario (test/bench/startup.ts).

Python because wait4() gives each child's own CPU time and peak RSS, which Node cannot read for a child.
Reads JSON on stdin: {"rounds": N, "commands": [{"id", "argv", "cwd", "env", "tty", "frame", "ready"}]} and
prints one JSON list of runs on stdout. Rounds are interleaved, each in a rotated order, so a load burst on the
shared machine touches every command alike.

A command with "tty" runs on a pseudo-terminal (the TUI refuses without one); its times are to the first
output matching "frame" (its first frame) and to the first matching "ready" (the screen it should show); then
it gets "q" and, after 10 s, SIGTERM. Every other command runs to its exit.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

KEEP = 16384


def run_plain(cmd):
    env = dict(os.environ, **cmd.get("env", {}))
    t0 = time.monotonic()
    p = subprocess.Popen(cmd["argv"], cwd=cmd["cwd"], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    while True:
        chunk = p.stdout.read(65536)
        if not chunk:
            break
        if len(out) < KEEP:
            out += chunk
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.monotonic() - t0) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    return {"wallMs": wall, "exitCode": p.returncode, "userMs": ru.ru_utime * 1000, "sysMs": ru.ru_stime * 1000,
            "maxRssKiB": ru.ru_maxrss, "output": out[:KEEP].decode("utf8", "replace")}


class Reaper:
    """Polls a child with wait4 (Popen.poll would reap it and lose its rusage)."""

    def __init__(self, pid):
        self.pid = pid
        self.done = None

    def exited(self, block=False):
        if self.done is None:
            pid, status, ru = os.wait4(self.pid, 0 if block else os.WNOHANG)
            if pid == self.pid:
                self.done = (status, ru)
        return self.done is not None


def run_tty(cmd):
    env = dict(os.environ, **cmd.get("env", {}))
    master, slave = pty.openpty()
    # an 80x24 terminal, like the e2e test's tmux (a pty is 0x0 until told, and Ink then asks tput)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.set_blocking(master, False)
    frame = re.compile(cmd["frame"].encode())
    ready = re.compile(cmd["ready"].encode())
    t0 = time.monotonic()
    p = subprocess.Popen(cmd["argv"], cwd=cmd["cwd"], env=env, stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True)
    os.close(slave)
    child = Reaper(p.pid)
    out = b""
    first_ms = ready_ms = None
    deadline = t0 + 30
    while ready_ms is None and time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if not r:
            if child.exited():
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        out += chunk
        now = (time.monotonic() - t0) * 1000
        if first_ms is None and frame.search(out):
            first_ms = now
        if ready.search(out):
            ready_ms = now
    if not child.exited():
        try:
            os.write(master, b"q")
        except OSError:
            pass
    quit_by = time.monotonic() + 10
    while not child.exited() and time.monotonic() < quit_by:
        try:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                out += os.read(master, 65536)
        except OSError:
            time.sleep(0.1)
    if not child.exited():
        os.kill(p.pid, signal.SIGTERM)
    child.exited(block=True)
    status, ru = child.done
    p.returncode = os.waitstatus_to_exitcode(status)
    os.close(master)
    return {"wallMs": ready_ms, "firstFrameMs": first_ms, "exitCode": os.waitstatus_to_exitcode(status),
            "userMs": ru.ru_utime * 1000, "sysMs": ru.ru_stime * 1000, "maxRssKiB": ru.ru_maxrss,
            "output": out[-KEEP:].decode("utf8", "replace")}


def main():
    spec = json.load(sys.stdin)
    commands = spec["commands"]
    runs = []
    for rnd in range(spec["rounds"]):
        shift = rnd % len(commands)
        for cmd in commands[shift:] + commands[:shift]:
            res = run_tty(cmd) if cmd.get("tty") else run_plain(cmd)
            res.update({"id": cmd["id"], "round": rnd})
            runs.append(res)
    json.dump(runs, sys.stdout)


if __name__ == "__main__":
    main()
