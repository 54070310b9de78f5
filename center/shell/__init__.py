"""The shell: cross-domain readers and the center's operation (logs, metrics, health)."""
