"""Integration tests against the real broker (a package, so tests can share the harness)."""
