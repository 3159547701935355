from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class AdminErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADMIN_ERROR_REASON_UNSPECIFIED: _ClassVar[AdminErrorReason]
    ADMIN_ERROR_REASON_ADMIN_DISABLED: _ClassVar[AdminErrorReason]
    ADMIN_ERROR_REASON_MODEL_ALREADY_EXISTS: _ClassVar[AdminErrorReason]
    ADMIN_ERROR_REASON_ETAG_MISMATCH: _ClassVar[AdminErrorReason]
    ADMIN_ERROR_REASON_REGISTRY_UNAVAILABLE: _ClassVar[AdminErrorReason]
    ADMIN_ERROR_REASON_CONFIGURATION_INVALID: _ClassVar[AdminErrorReason]
ADMIN_ERROR_REASON_UNSPECIFIED: AdminErrorReason
ADMIN_ERROR_REASON_ADMIN_DISABLED: AdminErrorReason
ADMIN_ERROR_REASON_MODEL_ALREADY_EXISTS: AdminErrorReason
ADMIN_ERROR_REASON_ETAG_MISMATCH: AdminErrorReason
ADMIN_ERROR_REASON_REGISTRY_UNAVAILABLE: AdminErrorReason
ADMIN_ERROR_REASON_CONFIGURATION_INVALID: AdminErrorReason
