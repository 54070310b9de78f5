"""Shared services under every layer: settings, database, errors, dates, i18n,
scheduler, codes and images. Imports nothing above it."""
