"""`python -m oldcomm_desktop` runs the command line, so it works before the entry points are installed."""

from oldcomm_desktop.cli import main

raise SystemExit(main())
