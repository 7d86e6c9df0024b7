"""Subcommands of `oldcomm`, one module per capability (listed in cli.FEATURE_MODULES).

Each module defines `add_parsers(sub, add_db) -> dict[str, handler]`; `cli.main` maps every core error a
handler raises to a Chinese message and an exit code, so handlers just raise.
"""
