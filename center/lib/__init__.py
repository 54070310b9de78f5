"""Shared services under every layer: settings, database, errors, dates, i18n, PDF,
scheduler, codes and images. Imports nothing above it."""
