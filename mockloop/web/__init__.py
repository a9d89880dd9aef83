"""The web layer: one module per blueprint, access checks, JSON payloads, error pages."""
