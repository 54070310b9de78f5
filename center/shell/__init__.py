"""The shell: pages and jobs that read every domain (home, feeds, reports, demo, backup,
jobs), above the domains and below the entry points center.app and center.cli."""
