"""The planner: morning briefing, evening check-in and gentle nudges on stalled tasks."""
