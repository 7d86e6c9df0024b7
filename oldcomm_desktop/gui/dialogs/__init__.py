"""Dialogs: record forms, first run, errors. Each is a thin face over a core service."""
