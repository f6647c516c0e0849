"""`python -m access …`: manage users and display tokens (see access/cli.py)."""

import sys

from access.cli import main

if __name__ == "__main__":
    sys.exit(main())
