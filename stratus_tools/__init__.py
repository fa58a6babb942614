"""Tools around Stratus that are not part of the control plane (the test-guest builder)."""
