"""Run every benchmark module's run(); add yours to MODULES."""

import importlib

MODULES = ["bench.kashflow_bench"]

for name in MODULES:
    importlib.import_module(name).run()
