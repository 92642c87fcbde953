"""``python -m formgen``: the same command line as ``formgen``."""

from .cli.app import main

main()
