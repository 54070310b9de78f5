"""Demo data: the demo center's own center file (center.toml, read by center/shell/setup like any
center file), what only the demo has (demo_people.toml) and the booking schedule (schedule.py)."""
