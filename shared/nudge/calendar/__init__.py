"""Calendars: events from a private ICS link or Microsoft Graph, free time, time boxes."""
