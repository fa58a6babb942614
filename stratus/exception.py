"""Errors that cross service boundaries.

Each has an HTTP status; the API layer turns them into OpenStack's error body
(`{"itemNotFound": {"code": 404, "message": ...}}`). They travel over RPC as
oslo.messaging remote errors and are rebuilt by name (see `stratus.rpc`).
"""
from __future__ import annotations

from typing import Any


class StratusError(Exception):
    code = 500
    msg_fmt = "An unknown error occurred."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)


class Invalid(StratusError):
    code = 400
    msg_fmt = "Invalid input: %(reason)s"


class ValidationError(Invalid):
    msg_fmt = "%(reason)s"


class NotAuthenticated(StratusError):
    code = 401
    msg_fmt = "The request you have made requires authentication."


class Forbidden(StratusError):
    code = 403
    msg_fmt = "You are not authorized to perform the requested action."


class PolicyNotAuthorized(Forbidden):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class QuotaExceeded(Forbidden):
    msg_fmt = ("Quota exceeded for %(resource)s: requested %(requested)s, "
               "but already used %(used)s of %(quota)s %(resource)s")


class NotFound(StratusError):
    code = 404
    msg_fmt = "Resource could not be found."


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class FlavorExtraSpecNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s has no extra specs with key %(key)s."


class FlavorAccessNotFound(NotFound):
    msg_fmt = "Flavor access not found for %(flavor_id)s / %(project_id)s combination."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class KeypairNotFound(NotFound):
    msg_fmt = "Keypair %(name)s not found for user %(user_id)s"


class MetadataItemNotFound(NotFound):
    msg_fmt = "Metadata item was not found"


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


class ComputeHostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class ProjectNotFound(NotFound):
    msg_fmt = "Could not find project: %(project_id)s."


class UserNotFound(NotFound):
    msg_fmt = "Could not find user: %(user_id)s."


class RoleNotFound(NotFound):
    msg_fmt = "Could not find role: %(role_id)s."


class DomainNotFound(NotFound):
    msg_fmt = "Could not find domain: %(domain_id)s."


class RoleAssignmentNotFound(NotFound):
    msg_fmt = "Could not find role assignment."


class Conflict(StratusError):
    code = 409
    msg_fmt = "Conflict: %(reason)s"


class Duplicate(Conflict):
    msg_fmt = "%(reason)s"


class InstanceInvalidState(Conflict):
    msg_fmt = ("Cannot '%(action)s' instance %(instance_uuid)s while it is in "
               "%(attr)s %(state)s")


class InstanceIsLocked(Conflict):
    msg_fmt = "Instance %(instance_uuid)s is locked"


class RequestTooLarge(StratusError):
    code = 413
    msg_fmt = "%(reason)s"


class UnsupportedMediaType(StratusError):
    code = 415
    msg_fmt = "%(reason)s"


class ImageNotActive(Invalid):
    msg_fmt = "Image %(image_id)s is not active."


class ComputeServiceUnavailable(Invalid):
    """The host's compute service is down: what it would answer cannot be had (400, as
    Nova answers)."""
    msg_fmt = "Compute service of %(host)s is unavailable at this time."


class NoValidHost(StratusError):
    code = 500
    msg_fmt = "No valid host was found. %(reason)s"


class RescheduledBuildFailed(StratusError):
    msg_fmt = "Build of instance %(instance_uuid)s failed: %(reason)s"


class VersionNotSupported(StratusError):
    code = 406
    msg_fmt = ("Version %(version)s is not supported by the API. Minimum is "
               "%(min_ver)s and maximum is %(max_ver)s.")


class ServiceUnavailable(StratusError):
    code = 503
    msg_fmt = "%(reason)s"


class FeatureNotSupported(StratusError):
    """What the virt driver (or the cloud) cannot do: 501, Nova's answer when a driver
    does not implement a call."""
    code = 501
    msg_fmt = "The requested functionality is not supported. %(reason)s"


def by_name(name: str) -> type[StratusError] | None:
    found = globals().get(name)
    if isinstance(found, type) and issubclass(found, StratusError):
        return found
    return None


class AggregateNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s could not be found."


class AggregateNameExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_name)s already exists."


class AggregateHostExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_id)s already has host %(host)s."


class AggregateHostNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s has no host %(host)s."


class InvalidAggregateAction(Invalid):
    msg_fmt = "Cannot %(action)s aggregate %(aggregate_id)s. Reason: %(reason)s."


class InstanceGroupNotFound(NotFound):
    msg_fmt = "Instance group %(group_uuid)s could not be found."


class UnsupportedPayload(StratusError):
    code = 500
    msg_fmt = "This service cannot read an RPC payload %(name)s version %(version)s."


class RPCVersionTooNew(StratusError):
    code = 503
    msg_fmt = ("The %(topic)s service speaks RPC up to %(cap)s, but '%(method)s' needs "
               "%(version)s; finish the upgrade of that service first.")


class NetworkNotFound(NotFound):
    msg_fmt = "Network %(network_id)s could not be found."


class NoMoreFixedIps(StratusError):
    code = 500
    msg_fmt = "No fixed IP addresses available for network: %(net)s"


class FixedIpNotFoundForInstance(Invalid):
    msg_fmt = "Instance %(instance_uuid)s doesn't have fixed IP '%(ip)s'."


class NoMoreNetworks(StratusError):
    code = 500
    msg_fmt = ("No more networks available: [network] fixed_range has no free block of "
               "network_size addresses left for a new project network.")
