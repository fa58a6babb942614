"""The metadata service layer: which instance is asking (its address, or a proxy's signed
headers) and its data, read through the conductor and cached for
metadata_cache_expiration seconds; the password its guest posts. Knows nothing of HTTP;
only this package uses the RPC client (metadata_api/service/clients.py)."""
from metadata_api.service.guests import (Caller, cached_guest, dynamic_vendor_data, forget,
                                         guest, post_password)

__all__ = ["Caller", "cached_guest", "dynamic_vendor_data", "forget", "guest",
           "post_password"]
