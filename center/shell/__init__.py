"""The shell: cross-domain readers and the operations that span the whole center (backups, jobs)."""
