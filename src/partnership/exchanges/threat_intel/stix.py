"""STIX 2.1 checks on one object, and the timestamp format STIX and TAXII share."""

from __future__ import annotations

import collections.abc
import copy
import datetime
import re
import warnings
from typing import Any

import stix2
import stix2.base
import stix2.exceptions
import stix2.properties
import stix2.registry
import stix2.v21
from django.utils.translation import gettext as _

from .sharing import RECIPIENTS_PROPERTY

_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$")
_TYPE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_ID = re.compile(r"^([a-z][a-z0-9-]*)--([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
# The types STIX 2.1 defines (the library's registry); observables have no `created`/`modified`.
_OBSERVABLES = frozenset(stix2.registry.STIX2_OBJ_MAPS["2.1"]["observables"])
_STANDARD_TYPES = frozenset(stix2.registry.STIX2_OBJ_MAPS["2.1"]["objects"]) - {"bundle"} | _OBSERVABLES
# The property types whose `clean` takes the `interoperability` flag (as in stix2.base._STIXBase).
_INTEROPERABILITY_TYPES = (
    stix2.properties.EmbeddedObjectProperty,
    stix2.properties.EnumProperty,
    stix2.properties.ExtensionsProperty,
    stix2.properties.DictionaryProperty,
    stix2.properties.HashesProperty,
    stix2.properties.IDProperty,
    stix2.properties.ListProperty,
    stix2.properties.OpenVocabProperty,
    stix2.properties.ReferenceProperty,
    stix2.properties.SelectorProperty,
)
# Classes whose own `__init__` only maps positional arguments to properties (or is the library's base
# one): for them `_check_with_library` does exactly what their constructor checks.
_PLAIN_CONSTRUCTORS = frozenset({stix2.base._STIXBase, stix2.v21.Relationship, stix2.v21.Sighting})
# The properties those two constructors take by name, where a false value (e.g. "") counts as absent.
_NAMED_ARGUMENTS = {
    stix2.v21.Relationship: ("source_ref", "relationship_type", "target_ref"),
    stix2.v21.Sighting: ("sighting_of_ref",),
}
_CUSTOM_PROPERTY_NAME = re.compile(stix2.base.PREFIX_21_REGEX)


class InvalidObject(ValueError):
    """A STIX object that cannot be stored; the message says why, for the status resource."""


def parse_timestamp(value: Any) -> datetime.datetime:
    """A STIX/TAXII timestamp (`2026-11-27T09:30:00.123456Z`) as an aware datetime.

    Precision beyond microseconds is cut (PostgreSQL and SQLite keep microseconds); ValueError otherwise.
    """
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(value)
    year, month, day, hour, minute, second, fraction = match.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime.datetime(
        int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59), microsecond,
        tzinfo=datetime.UTC,
    )  # fmt: skip


def format_timestamp(value: datetime.datetime, micro: bool = True) -> str:
    """A datetime as a STIX timestamp in UTC; with `micro`, always six fractional digits."""
    value = value.astimezone(datetime.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if micro or value.microsecond % 1000:
        return f"{text}.{value.microsecond:06d}Z"
    return f"{text}.{value.microsecond // 1000:03d}Z"


def check(stix_object: Any, allow_custom: bool) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """Raise InvalidObject unless `stix_object` is a valid STIX 2.1 object for a collection; return its
    `created` and `modified` times (None when absent).

    `allow_custom`: the collection accepts custom `x-` types, custom properties and extensions.
    """
    if not isinstance(stix_object, dict):
        raise InvalidObject(_("Each object must be a JSON object."))
    object_type, object_id = stix_object.get("type"), stix_object.get("id")
    if not isinstance(object_type, str) or not (3 <= len(object_type) <= 250) or not _TYPE.match(object_type):
        raise InvalidObject(_("The object has no valid type."))
    id_match = _ID.match(object_id) if isinstance(object_id, str) else None
    if id_match is None or id_match.group(1) != object_type:
        raise InvalidObject(_("The id must be '<type>--<UUID>' with the object's own type."))
    spec_version = stix_object.get("spec_version", "2.1")
    if spec_version != "2.1":
        raise InvalidObject(
            _("Only STIX 2.1 objects are accepted (spec_version %(version)s).") % {"version": spec_version}
        )
    times: dict[str, datetime.datetime | None] = {"created": None, "modified": None}
    for field in times:
        if field in stix_object:
            try:
                times[field] = parse_timestamp(stix_object[field])
            except ValueError as error:
                raise InvalidObject(
                    _("%(field)s is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z).") % {"field": field}
                ) from error
    created, modified = times["created"], times["modified"]
    if created is not None and modified is not None and modified < created:
        raise InvalidObject(_("modified is earlier than created."))
    is_custom_type = object_type not in _STANDARD_TYPES
    if is_custom_type and not allow_custom:
        raise InvalidObject(
            _("Custom object type %(type)s is not allowed in this collection.") % {"type": object_type}
        )
    # Our own sharing property is read by sharing.py, not by the STIX library.
    candidate = stix_object
    if RECIPIENTS_PROPERTY in stix_object:
        candidate = {key: value for key, value in stix_object.items() if key != RECIPIENTS_PROPERTY}
    if is_custom_type:
        return created, modified  # the library knows nothing more about a custom type than the above
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _check_with_library(candidate, allow_custom)
    except stix2.exceptions.STIXError as error:
        raise InvalidObject(_("Not a valid STIX 2.1 object: %(reason)s") % {"reason": error}) from error
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidObject(_("Not a valid STIX 2.1 object: %(reason)s") % {"reason": error}) from error
    return created, modified


def _check_with_library(candidate: dict[str, Any], allow_custom: bool) -> None:
    """Validate one standard STIX 2.1 object with the `stix2` library's own property definitions.

    `stix2.parse` builds an immutable object: it deep-copies its input, resolves every property
    through `ChainMap`s, computes defaults it then throws away and keeps the result; that costs about
    250 us per ATT&CK object, more than the rest of an ingest together (bench/threat_intel.py). The
    checks themselves are the class's property cleaners (types, timestamps, ids, vocabularies,
    embedded objects) and its `_check_object_constraints`, and those are what is called here, on the
    same classes, in about 75 us. Objects whose class does more in its constructor (marking
    definitions, indicators, observed data, observables with generated ids) and objects with
    extensions (toplevel property extensions change which properties are custom) go through
    `stix2.parse` unchanged.
    """
    cls = stix2.registry.class_for_type(candidate["type"], "2.1")
    if cls is None or candidate.get("extensions") or not _plain(cls):
        stix2.parse(copy.deepcopy(candidate), allow_custom=allow_custom, version="2.1")
        return
    named = _NAMED_ARGUMENTS.get(cls, ())
    if any(name in candidate and not candidate[name] for name in named):
        candidate = {key: value for key, value in candidate.items() if key not in named or value}
    _check_properties(cls, candidate, allow_custom)


# Strings a property's cleaner has accepted, by (property, allow_custom, value), with what it made of
# them: timestamps, references and vocabulary values repeat across the objects of a feed, and the
# library's cleaners are pure functions of these three (a timestamp costs a `strptime`).
_valid_strings: dict[tuple[int, bool, str], Any] = {}
_VALID_STRINGS_KEPT = 100_000


def _clean(cls: Any, name: str, prop: Any, value: Any, allow_custom: bool) -> Any:
    """The library's cleaner of one property, its errors as the library's constructor reports them."""
    arguments = [value, allow_custom]
    if isinstance(prop, _INTEROPERABILITY_TYPES):
        arguments.append(False)
    try:
        cleaned, _has_custom = prop.clean(*arguments)
    except stix2.exceptions.InvalidValueError:
        raise
    except Exception as error:
        raise stix2.exceptions.InvalidValueError(cls, name, reason=str(error)) from error
    return cleaned


def _plain(cls: type) -> bool:
    """Does the class's constructor check nothing beyond its properties and object constraints?"""
    return next(klass for klass in cls.__mro__ if "__init__" in vars(klass)) in _PLAIN_CONSTRUCTORS


def _check_properties(cls: Any, values: Any, allow_custom: bool) -> None:
    """What `cls(allow_custom=allow_custom, **values)` checks, without building the object."""
    properties = cls._properties
    custom = values.keys() - properties.keys()
    if custom and not allow_custom:
        raise stix2.exceptions.ExtraPropertiesError(cls, custom)
    for name in custom:
        if not _CUSTOM_PROPERTY_NAME.match(name):
            raise stix2.exceptions.InvalidValueError(
                cls, name, reason=f"Property name '{name}' must begin with an alpha character."
            )
    cleaned: dict[str, Any] = {}
    missing = []
    for name, prop in properties.items():
        value = values.get(name)
        if value is None or value == []:
            # A required property with a default (id, created, ...) is filled in by the library.
            if prop.required and not hasattr(prop, "default"):
                missing.append(name)
            continue
        contained = getattr(prop, "contained", None)
        if (
            isinstance(prop, stix2.properties.ListProperty)
            and isinstance(contained, type)
            and issubclass(contained, stix2.base._STIXBase)
            and _plain(contained)
            and isinstance(value, list)
            and all(isinstance(item, collections.abc.Mapping) for item in value)
        ):
            # Embedded objects (external references, kill chain phases): the same checks, one level down.
            for item in value:
                _check_properties(contained, item, allow_custom)
            cleaned[name] = value
            continue
        if not isinstance(value, str):
            cleaned[name] = _clean(cls, name, prop, value, allow_custom)
            continue
        key = (id(prop), allow_custom, value)
        if key not in _valid_strings:
            if len(_valid_strings) >= _VALID_STRINGS_KEPT:
                _valid_strings.clear()
            _valid_strings[key] = _clean(cls, name, prop, value, allow_custom)
        cleaned[name] = _valid_strings[key]
    if missing:
        raise stix2.exceptions.MissingPropertiesError(cls, missing)
    # The class's cross-property rules (e.g. a relationship's start_time before its stop_time) read
    # the cleaned values through the Mapping interface, which only needs `_inner`.
    instance = cls.__new__(cls)
    object.__setattr__(instance, "_inner", cleaned)
    instance._check_object_constraints()
