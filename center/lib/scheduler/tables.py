"""Scheduled jobs: each job claims its run through the database, so with several app processes a
due job runs once, and records when it last ran and what it did."""

from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class JobRun(Table, tablename="center_job"):
    """One row per job: its latest run for the status page, and the row claims lock (FOR UPDATE)."""

    name = Varchar(length=60, unique=True)
    lease_until = Timestamptz(null=True, default=None)  # a claim: nobody else runs it before then
    last_started_at = Timestamptz(null=True, default=None)
    last_finished_at = Timestamptz(null=True, default=None)
    last_ok = Boolean(default=True)
    last_summary = Text(default="")
    runs = Integer(default=0)
    failures = Integer(default=0)  # runs that raised (the metrics count them per job)


class JobClaim(Table, tablename="center_job_run"):
    """One run of a job for one due time. (job, due_at) is unique (an index in the migration), so
    however many processes reach the same due time, one row and one run exist."""

    job = Varchar(length=60)
    due_at = Timestamptz()
    claimed_by = Varchar(length=120, default="")  # host:pid of the process that ran it
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    lease_until = Timestamptz()  # a run unfinished by then is taken to have crashed
    attempts = Integer(default=1)
    ok = Boolean(null=True, default=None)
    summary = Text(default="")
