"""Scheduled jobs: each job claims its run through the database, so with several app processes a
due job runs once, and records when it last ran and what it did."""

from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class JobRun(Table, tablename="center_job"):
    name = Varchar(length=60, unique=True)
    lease_until = Timestamptz(null=True, default=None)  # a claim: nobody else runs it before then
    last_started_at = Timestamptz(null=True, default=None)
    last_finished_at = Timestamptz(null=True, default=None)
    last_ok = Boolean(default=True)
    last_summary = Text(default="")
    runs = Integer(default=0)
    failures = Integer(default=0)  # runs that raised (the metrics count them per job)
