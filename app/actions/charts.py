"""Server-rendered bar charts for the department figures: plain numbers for inline SVG (no script, no
style attributes; the CSP allows neither)."""
from __future__ import annotations

from dataclasses import dataclass

BAR_WIDTH = 400  # the longest bar, in SVG user units
ROW_HEIGHT = 28
LABEL_WIDTH = 180


@dataclass
class Bar:
    label: str
    value: float
    text: str
    width: float
    y: int


@dataclass
class Chart:
    key: str
    bars: list
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH


def _chart(key: str, rows: list[tuple[str, float | None, str]], maximum: float | None = None) -> Chart:
    values = [value or 0 for _, value, _ in rows]
    top = maximum if maximum is not None else max(values + [0])
    bars = [Bar(label=label, value=value or 0, text=text,
                width=round(BAR_WIDTH * (value or 0) / top, 1) if top else 0.0, y=index * ROW_HEIGHT)
            for index, (label, value, text) in enumerate(rows)]
    return Chart(key=key, bars=bars, height=max(1, len(rows)) * ROW_HEIGHT)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def _days(value: float | None) -> str:
    """A median in days: whole days without a decimal, halves (the median of an even count) with one."""
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def build_charts(figures, name=None) -> dict[str, Chart]:
    """Charts of open, done and overdue counts, on-time rate, median days to close and satisfaction,
    one bar per department."""
    if name is None:
        from app.i18n import localized_name as name
    labels = [str(name(f.department)) for f in figures]
    return {
        "open": _chart("open", [(lbl, f.open_count, str(f.open_count)) for lbl, f in zip(labels, figures)]),
        "done": _chart("done", [(lbl, f.done_count, str(f.done_count)) for lbl, f in zip(labels, figures)]),
        "overdue": _chart("overdue", [(lbl, f.overdue_count, str(f.overdue_count))
                                      for lbl, f in zip(labels, figures)]),
        "on_time": _chart("on_time", [(lbl, f.on_time_rate, _percent(f.on_time_rate))
                                      for lbl, f in zip(labels, figures)], maximum=1.0),
        "median_days": _chart("median_days", [(lbl, f.median_days_to_close, _days(f.median_days_to_close))
                                              for lbl, f in zip(labels, figures)]),
        "satisfaction": _chart("satisfaction", [(lbl, f.ratings.score, _percent(f.ratings.score))
                                                for lbl, f in zip(labels, figures)], maximum=1.0),
    }
