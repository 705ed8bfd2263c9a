"""Scale benchmark: regwatch's scanner against a naive poller on the SMS API emulator (`make bench`).

`lambdas/` is the import root of the Lambda bundle (`make` puts it on PYTHONPATH); it is
added here too so `python -m benchmarks.run` works from the repository root as is.
"""

import sys
from pathlib import Path

_LAMBDAS = str(Path(__file__).resolve().parents[1] / "lambdas")
if _LAMBDAS not in sys.path:
    sys.path.insert(0, _LAMBDAS)
