"""Scored long-term-management checks turned into rankings (the score schemes are the inspection templates)."""
