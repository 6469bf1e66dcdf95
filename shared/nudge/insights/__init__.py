"""A person's week: the numbers (`week.compute_week`) and the charts (`charts.render_week`)."""

from nudge.insights.charts import WEEK_CSS, render_week
from nudge.insights.models import Week
from nudge.insights.week import compute_week

__all__ = ["WEEK_CSS", "Week", "compute_week", "render_week"]
