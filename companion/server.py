"""The Rasa server's entry point: installs our patches, then runs Rasa's CLI.

    python -m companion.server run --model models/current.tar.gz ...

takes the same arguments as `rasa`. It also keeps numpy's matrix products to
one thread, because the server answers many parents at once, and tells the
channels which endpoints file it runs with ($ENDPOINTS, for
companion/stores/shared_state.py).
"""

from __future__ import annotations

import os
import sys

from companion import patches
from companion.sentence_model import use_one_blas_thread


def endpoints_argument(argv) -> str:
    """The value of --endpoints (or --endpoints=...) in ``argv``, or ""."""
    for n, arg in enumerate(argv):
        if arg == "--endpoints" and n + 1 < len(argv):
            return argv[n + 1]
        if arg.startswith("--endpoints="):
            return arg.split("=", 1)[1]
    return ""


def main() -> None:
    endpoints = endpoints_argument(sys.argv)
    if endpoints:
        os.environ["ENDPOINTS"] = endpoints
    patches.install()
    use_one_blas_thread()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
