"""The public activity guide: clubs' public activities from booking's events, as JSON and iCal."""
