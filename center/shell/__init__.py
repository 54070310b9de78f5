"""The shell: pages and readers that span several domains (open data, home pages, feeds, reports)."""
