"""Generic building blocks shared by every layer: cross-process data versions and the caches they guard."""
