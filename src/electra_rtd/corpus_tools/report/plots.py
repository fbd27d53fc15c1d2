"""The report's charts as PNG bytes: bars, a map of topics and trend lines.

Figures are drawn on matplotlib's Agg canvas without pyplot, so no display, global figure state or
GUI backend is involved and the functions are safe in worker threads and tests. Korean labels need
a Hangul font: an installed one is used, or the NanumGothic files of the `koreanize-matplotlib`
package (registered without importing it, since importing it changes global settings).
"""

from __future__ import annotations

import importlib.util
import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

HANGUL_FAMILIES = (
    "NanumGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Malgun Gothic",
    "AppleGothic",
    "UnDotum",
)
FONT_PACKAGE = "koreanize_matplotlib"
DPI = 110
# Bubble area of the largest topic on the map, in points squared.
MAX_BUBBLE = 3000.0
# Map labels stay short: the rank and a few keywords; smaller topics show only their rank.
MAP_LABEL_CHARS = 18
MAP_NAMED = 12


@cache
def hangul_font() -> str | None:
    """A font family that has Hangul, or None (with a warning: labels will show as boxes)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for path in font_manager.findSystemFonts(fontpaths=[str(Path(folder) / "fonts")]):
            font_manager.fontManager.addfont(path)
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in HANGUL_FAMILIES:
        if family in installed:
            return family
    logger.warning(
        "no Hangul font found, Korean labels will be drawn as boxes: install one "
        "(e.g. `pip install koreanize-matplotlib` or the fonts-nanum package)"
    )
    return None


def horizontal_bars(labels: Sequence[str], values: Sequence[float], title: str, unit: str) -> bytes:
    """One bar per label, the first at the top, its value printed at the bar's end."""
    height = 1.2 + 0.32 * len(labels)
    with _canvas(8.0, height) as (figure, axes):
        positions = np.arange(len(labels))[::-1]
        axes.barh(positions, values, color="#4C72B0")
        axes.set_yticks(positions, labels)
        for position, value in zip(positions, values, strict=True):
            axes.annotate(
                f" {value:,.0f}", (value, position), va="center", fontsize=8, annotation_clip=False
            )
        axes.set_xlabel(unit)
        axes.set_title(title)
        axes.margins(x=0.12)
        return _png(figure)


def topic_map(
    coordinates: np.ndarray, counts: Sequence[int], labels: Sequence[str], title: str
) -> bytes:
    """Topics as bubbles (area = messages) at 2-D positions; near topics share keywords."""
    with _canvas(8.0, 6.5) as (figure, axes):
        counts = np.asarray(counts, dtype=np.float64)
        areas = MAX_BUBBLE * counts / max(counts.max(initial=0.0), 1.0)
        axes.scatter(
            coordinates[:, 0],
            coordinates[:, 1],
            s=np.maximum(areas, 20.0),
            alpha=0.45,
            color="#DD8452",
            edgecolors="#8C4A1F",
        )
        for rank, (x, y) in enumerate(coordinates, start=1):
            label = f"{rank}. {labels[rank - 1][:MAP_LABEL_CHARS]}" if rank <= MAP_NAMED else rank
            axes.annotate(str(label), (x, y), fontsize=7, ha="center")
        axes.set_title(title)
        axes.set_xticks([])
        axes.set_yticks([])
        axes.margins(0.15)
        return _png(figure)


def trend_lines(
    periods: Sequence[str], shares: np.ndarray, labels: Sequence[str], title: str
) -> bytes:
    """One line per topic: its share (in %) of each period's messages."""
    with _canvas(9.0, 5.0) as (figure, axes):
        positions = np.arange(len(periods))
        for row, label in zip(shares, labels, strict=True):
            axes.plot(positions, 100.0 * row, marker="o", markersize=3, linewidth=1.4, label=label)
        axes.set_xticks(positions, periods, rotation=45, ha="right", fontsize=7)
        axes.set_ylabel("share of the period's messages (%)")
        axes.set_title(title)
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return _png(figure)


@contextmanager
def _canvas(width: float, height: float) -> Iterator[tuple[Figure, Axes]]:
    """A figure and its axes, drawn under the Hangul font (text takes its font when created)."""
    settings: dict[str, object] = {"axes.unicode_minus": False}
    family = hangul_font()
    if family:
        settings["font.family"] = [family, "DejaVu Sans"]
    with rc_context(settings):
        figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        yield figure, figure.add_subplot()


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
