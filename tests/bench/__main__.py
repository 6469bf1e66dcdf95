"""`make bench`: run every benchmark module's main() in turn."""

from __future__ import annotations

import importlib
import pkgutil

import tests.bench as bench_package

if __name__ == "__main__":
    for module_info in sorted(pkgutil.iter_modules(bench_package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("bench_"):
            print(f"== {module_info.name}")
            importlib.import_module(f"tests.bench.{module_info.name}").main()
