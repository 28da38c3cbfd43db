"""Run every benchmark: python bench/all.py"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chain_200kb  # noqa: E402
import cold_start  # noqa: E402
import loop  # noqa: E402
import loop_jsonata  # noqa: E402
import map_lambda  # noqa: E402
import map_pass  # noqa: E402

if __name__ == "__main__":
    for bench in (loop, loop_jsonata, map_pass, chain_200kb, map_lambda, cold_start):
        bench.main()
