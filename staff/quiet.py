"""Keeps TensorFlow out of the staff processes.

The second redaction pass uses spaCy's tokenizer, and spaCy's helper
library imports TensorFlow whenever it is installed (it is, for Rasa):
13 seconds and some 400 MB for nothing the staff pages use. Called first
by the staff pages' entry points only, never from code the Rasa server
imports (Rasa needs TensorFlow).
"""

import sys


def keep_tensorflow_out() -> None:
    for name in ("tensorflow", "torch"):
        sys.modules.setdefault(name, None)
