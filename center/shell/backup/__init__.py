"""Backups the center has restored: the daily backup job (keeping the last N files), the guard that
tells whether a server is running on this data folder, and `center restore`."""
