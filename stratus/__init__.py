"""Stratus shared core: config, request context, RPC plumbing, policy, errors, CLI."""
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

from oslo_service import backend as _oslo_service_backend  # noqa: E402

# oslo.messaging pulls in oslo.service, whose default backend is eventlet; we
# run on threads, so pick its threading backend before anything imports it.
try:
    _oslo_service_backend.init_backend(_oslo_service_backend.BackendType.THREADING)
except _oslo_service_backend.exceptions.BackendAlreadySelected:
    pass
