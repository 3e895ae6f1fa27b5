#!/usr/bin/env python3
"""Where each second of the start-up goes: called by `bench/startup --phases` with the directory holding, per run,
the AppHost's console log (<label>-<n>.log, Aspire's debug log with UTC timestamps), the bench's start and
HTTP-200 times (<label>-<n>.log.t, epoch seconds) and DCP's diagnostic log folder (<label>-<n>.dcp/).

Each milestone is read from the log that observes it first: DCP's own log for what DCP does (its start, the
processes it starts, the instant a process exits), the AppHost's for Aspire's resource states. Prints, per
phase, the median over the runs of each kind (floor, fresh, reused)."""
import datetime
import glob
import json
import os
import re
import statistics
import sys

APPHOST_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d+) \w+: ")

# Aspire's resource states, from the AppHost's log (the message line follows its timestamped header line).
APPHOST_MILESTONES = {
    "apphost": re.compile(r"Starting DCP with arguments"),
    "resources": re.compile(r"^Resource \S+ changed state: Starting$"),
    "pg_running": re.compile(r"^Resource postgres/\S+ changed state: (Starting -> )?Running$"),
    "pg_ready": re.compile(r"^Resource 'postgres' is ready\.$"),
    "db_ready": re.compile(r"^Resource 'gpudev' is ready\.$"),
    "worker_finished": re.compile(r"^Resource migration-worker/\S+ changed state: Running -> Finished$"),
}

# (key, label, from, to, whose): one row per phase; a run without both milestones leaves the cell empty.
PHASES = [
    ("dotnet run: project evaluation, AppHost start, model", "t0", "apphost", "dotnet/AppHost"),
    ("AppHost starts DCP's process", "apphost", "dcp_start", "Aspire"),
    ("DCP's API server starts", "dcp_start", "dcp_api", "DCP"),
    ("DCP's controllers start; Aspire creates the resources", "dcp_api", "resources", "DCP/Aspire"),
    ("resources created -> trivial executable started (floor)", "resources", "trivial_exec", "DCP"),
    ("trivial executable started -> HTTP 200 (floor)", "trivial_exec", "t1", "python3"),
    ("resources created -> postgres Running (fresh: initdb)", "resources", "pg_running", "DCP/ours"),
    ("postgres Running -> ready (health check)", "pg_running", "pg_ready", "Aspire/PostgreSQL"),
    ("postgres ready -> gpudev ready (database, PGMQ, roles)", "pg_ready", "db_ready", "ours"),
    ("gpudev ready -> worker process started", "db_ready", "worker_exec", "Aspire/DCP"),
    ("worker process: start -> exit", "worker_exec", "worker_exit", "ours"),
    ("worker exit -> Finished (DCP's 0.5 s reconcile debounce)", "worker_exit", "worker_finished", "DCP"),
    ("worker Finished -> API and processor started", "worker_finished", "api_exec", "Aspire/DCP"),
    ("API process start -> /health 200", "api_exec", "t1", "ours"),
    ("total: dotnet run -> HTTP 200", "t0", "t1", ""),
]


def dcp_time(ts: str) -> float:
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def apphost_milestones(path: str, t0: float) -> dict:
    day = datetime.datetime.fromtimestamp(t0, datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    found, stamp = {}, None
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            header = APPHOST_LINE.match(line)
            if header:
                h, m, s = header.groups()
                stamp = day + int(h) * 3600 + int(m) * 60 + float(s)
                if stamp < t0 - 60:  # past midnight UTC
                    stamp += 86400
                continue
            message = line.strip()
            for key, pattern in APPHOST_MILESTONES.items():
                if key not in found and stamp is not None and pattern.search(message):
                    found[key] = stamp
    return found


def dcp_milestones(folder: str) -> dict:
    found = {}
    for path in glob.glob(os.path.join(folder, "*.log")):
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                msg, exe, at = entry.get("msg"), entry.get("Executable", ""), entry.get("ts")
                if at is None:
                    continue
                key = None
                if msg == "Starting DCP..." and "start-apiserver" in os.path.basename(path):
                    key = "dcp_start"
                elif msg == "API server started":
                    key = "dcp_api"
                elif msg == "Starting process...":
                    key = next((f"{name}_exec" for prefix, name in
                                (("/migration-worker-", "worker"), ("/api-", "api"), ("/trivial-", "trivial")) if exe.startswith(prefix)), None)
                elif msg == "Queue Executable run change" and entry.get("RunChange") == "Run completed" and exe.startswith("/migration-worker-"):
                    key = "worker_exit"
                if key:
                    t = dcp_time(at)
                    found[key] = min(found.get(key, t), t)
    return found


def main(directory: str) -> None:
    runs = {}
    for log in sorted(glob.glob(os.path.join(directory, "*.log"))):
        label = os.path.basename(log).rsplit("-", 1)[0]
        with open(log + ".t", encoding="utf-8") as times:
            t0, t1 = (float(x) for x in times.read().split())
        milestones = {"t0": t0, "t1": t1, **apphost_milestones(log, t0), **dcp_milestones(log[:-4] + ".dcp")}
        runs.setdefault(label, []).append(milestones)

    labels = [label for label in ("floor", "fresh", "reused") if label in runs]
    print(f"\nwhere the seconds go, median over the runs (seconds; {', '.join(f'{l}: {len(runs[l])}' for l in labels)} runs)")
    print(f"  {'phase':<58}{'whose':<19}" + "".join(f"{label:>8}" for label in labels))
    for title, start, end, whose in PHASES:
        cells, any_value = [], False
        for label in labels:
            values = [r[end] - r[start] for r in runs[label] if start in r and end in r]
            if values:
                any_value = True
                cells.append(f"{statistics.median(values):8.2f}")
            else:
                cells.append(f"{'':>8}")
        if any_value:
            print(f"  {title:<58}{whose:<19}" + "".join(cells))
    print("  (each row is the median of that phase alone, so the rows need not add up to the median total)")


if __name__ == "__main__":
    main(sys.argv[1])
