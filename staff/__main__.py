"""`python -m staff`: the staff pages (see staff/app.py)."""

import sys
import warnings

from staff.quiet import keep_tensorflow_out

keep_tensorflow_out()
warnings.filterwarnings("ignore", category=DeprecationWarning)

from staff.app import main  # noqa: E402

sys.exit(main())
