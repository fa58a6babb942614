"""Message bus drivers of our own (oslo.messaging driver plugins)."""
