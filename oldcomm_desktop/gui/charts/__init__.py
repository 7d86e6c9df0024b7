"""Small charts drawn with QPainter (bars, stacked bars, progress rows) and clickable figure tiles.

We ship PySide6-Essentials only, which has no QtCharts (tech-notes §2): a dashboard needs a handful of
horizontal bars with Chinese labels, which a few hundred lines of QPainter do well and without 150 MB.
"""

from oldcomm_desktop.gui.charts.bars import BarChart, BarRow, Series
from oldcomm_desktop.gui.charts.tiles import FigureTile

__all__ = ["BarChart", "BarRow", "FigureTile", "Series"]
