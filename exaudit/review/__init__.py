"""Which findings count: suppressions, baselines, fingerprints, and before/after review."""
