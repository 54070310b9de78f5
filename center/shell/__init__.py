"""The shell: cross-domain readers and commands that use every domain (set-up, imports, demo)."""
