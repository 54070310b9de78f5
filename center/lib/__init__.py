"""Shared services under every layer: settings, database, errors, dates, i18n,
scheduler, codes, images, and the cross-process data versions with the caches they guard.
Imports nothing above it."""
