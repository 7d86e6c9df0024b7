"""老旧小区改造工作台 — offline ledger, inspections and returns for old-community renovation."""

__version__ = "0.1.0"
