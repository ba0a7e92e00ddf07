"""`make bench`: every benchmark module's run(), one after another, each printing its table.

`python -m bench kashflow inbox` runs only the named ones.
"""

import importlib
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publisher.settings")
django.setup()

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
for name in wanted:
    importlib.import_module(MODULES[name]).run()
