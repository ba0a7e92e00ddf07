"""`make bench`: every benchmark, one after another, each printing its table.

Each runs in a process of its own, so one benchmark's peak memory or warm caches never show in
another's figures. `python -m bench kashflow inbox` runs only the named ones.
"""

import subprocess
import sys

MODULES = {
    "extraction": "bench.extraction_bench",
    "kashflow": "bench.kashflow_bench",
    "reference": "bench.reference_bench",
    "inbox": "bench.inbox_bench",
}

wanted = sys.argv[1:] or list(MODULES)
unknown = [name for name in wanted if name not in MODULES]
if unknown:
    sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(MODULES)}")
failed = [
    name for name in wanted if subprocess.run([sys.executable, "-m", MODULES[name]]).returncode
]
if failed:
    sys.exit(f"benchmarks that failed to run: {', '.join(failed)}")
