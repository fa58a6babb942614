"""Metadata API served to guests at 169.254.169.254 (not built yet)."""
