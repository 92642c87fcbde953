"""``python -m formgen``: the same command line as ``formgen``."""

from .cli.fast import main

main()
