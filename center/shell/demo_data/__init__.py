"""Demo data: the static facts (center.toml) and the booking schedule (schedule.py)."""
