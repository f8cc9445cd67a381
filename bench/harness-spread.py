#!/usr/bin/env python3
"""How far apart the side-by-side harness's hit figures can be for servers of equal speed, from its raw lines.

    python3 bench/harness-spread.py docs/bench/2026-12-03-run-all-3[3-9].jsonl docs/bench/2026-12-03-run-all-4*.jsonl

For each run-all raw file (the raw.jsonl that ../shared/bench/run-all.sh writes under its OUT, one run) and each
object size: the ratio of each proxy to the static reference as ../shared/bench/report.py computes it (median req/s of
the proxy's reps ÷ median of all the static nginx reps), EdgeProxy's ratio against nginx's and ATS's, and the static
reference against itself: run-all.sh measures static nginx at the start and again at the end of a run, so the median
of its first reps ÷ the median of its last reps is what the harness gives one unchanged server twice in one run.
Then, over the runs, the median and range of each, and in how many runs EdgeProxy was above both peers (issue 7's
must-show).
docs/benchmarks.md, "What one run of the harness can tell apart".
"""
import collections
import json
import statistics
import sys

PEERS = ("edgeproxy", "nginx", "ats")
FIGURES = ("edgeproxy", "nginx", "ats", "edge/nginx", "edge/ats", "static first/last")


def load(path):
    by = collections.defaultdict(list)
    for line in open(path):
        row = json.loads(line)
        if row.get("scenario") == "hits":
            by[(row["peer"], row["size"])].append(row["rps"])
    return by


def figures(by, size):
    """One run's figures at one size (None when a peer or the reference is missing), and whether EdgeProxy led both."""
    static = by.get(("static-nginx", size), [])
    if len(static) < 2 or any(not by.get((p, size)) for p in PEERS):
        return None, False
    ref = statistics.median(static)
    half = len(static) // 2
    ratio = {p: statistics.median(by[(p, size)]) / ref for p in PEERS}
    ratio["edge/nginx"] = ratio["edgeproxy"] / ratio["nginx"]
    ratio["edge/ats"] = ratio["edgeproxy"] / ratio["ats"]
    ratio["static first/last"] = statistics.median(static[:half]) / statistics.median(static[half:])
    return ratio, ratio["edgeproxy"] > max(ratio["nginx"], ratio["ats"])


def main(paths):
    summary = collections.defaultdict(list)
    for path in paths:
        by = load(path)
        cells = []
        for size in sorted({s for (_, s) in by}):
            run, ahead = figures(by, size)
            if run is None:
                cells.append(f"{size // 1024} KiB: incomplete")
                continue
            for key in FIGURES:
                summary[(size, key)].append(run[key])
            summary[(size, "ahead")].append(ahead)
            cells.append(f"{size // 1024} KiB: " + " ".join(f"{key} {run[key]:.2f}" for key in FIGURES)
                         + (" ahead" if ahead else ""))
        print(f"{path}: " + "; ".join(cells))
    for size in sorted({s for (s, _) in summary}):
        print(f"{size // 1024} KiB over {len(summary[(size, 'ahead')])} runs: EdgeProxy above both peers in "
              f"{sum(summary[(size, 'ahead')])}")
        for key in FIGURES:
            values = summary[(size, key)]
            print(f"  {key:18} median {statistics.median(values):.2f}, range {min(values):.2f}-{max(values):.2f}")

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
