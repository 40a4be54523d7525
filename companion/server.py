"""The Rasa server's entry point: installs our patches, then runs Rasa's CLI.

    python -m companion.server run --model models/current.tar.gz ...

takes the same arguments as `rasa`. It also keeps numpy's matrix products to
one thread, because the server answers many parents at once.
"""

from __future__ import annotations

from companion import patches
from companion.sentence_model import use_one_blas_thread


def main() -> None:
    patches.install()
    use_one_blas_thread()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
