#!/usr/bin/env python3
"""Which JIT tiers the socket I/O threads ran, from `perf record -g` files of an EdgeProxy started with
DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 (so perf can name JIT'd frames, each with its tier).

    python3 bench/perf-tiers.py run1.perf.data [run2.perf.data ...]

For each file: the '.NET Sockets' threads' samples, the share of them with a frame of each tier other than the
optimized one on the stack (InstrumentedTier*: tiered PGO's instrumented code; QuickJitted: tier 0), and the
frames seen most often in those tiers; 'any instrumented' counts a sample once whichever instrumented tiers it has. docs/benchmarks.md, "Bounded runs after the timer" (100 KiB's two modes).
"""
import collections
import re
import subprocess
import sys

TIER = re.compile(r"\[(Instrumented\w*|QuickJitted\w*|OptimizedTier1OSR)\]")  # the runtime's perf-map tier names

for path in sys.argv[1:]:
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,ip,sym,dso"], capture_output=True, text=True).stdout
    stacks = [[l.strip() for l in s.strip().split("\n") if l.strip()] for s in out.split("\n\n")]
    sockets = [s for s in stacks if s and s[0].startswith(".NET Sock")]
    tiers, frames = collections.Counter(), collections.Counter()
    for stack in sockets:
        seen = set()
        for line in stack[1:]:
            m = TIER.search(line)
            if m:
                seen.add(m.group(1))
                frames[re.sub(r"^\S+\s+", "", line)[:140]] += 1
        tiers.update(seen)
        if any(t.startswith("Instrumented") for t in seen):
            tiers["any instrumented"] += 1
    n = max(len(sockets), 1)
    print(path, "socket samples", len(sockets), {k: f"{100 * v / n:.1f}%" for k, v in tiers.most_common()})
    for frame, count in frames.most_common(8):
        print("   ", count, frame)
