"""REST APIs that speak their own JSON shape (camelCase, nested sections) instead of the
model's columns: the recruiting resources, whose shape is the specification's.

A ``ShapedApi`` keeps everything a ``ClientScopedApi`` gives (the client's visibility, so
another client's record is a 404; the resource's permissions; model rules as 4xx JSON) and
swaps FAB's generated schemas for one marshmallow schema per resource, used to read the
body, to answer and to document the resource in the OpenAPI spec. Every error names the
field the way the client sent it (``jobDetails.workType``), whether the schema or a model
rule found it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from apispec.ext.marshmallow.common import make_schema_key
from flask import Response, request
from flask_appbuilder.api import BaseApi
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.security.sqla.models import Role, User
from marshmallow import Schema, ValidationError, fields, validate
from marshmallow.utils import missing
from sqlalchemy import select

from extensions import db
from models import DomainError
from models.access import STAFF_ROLES

from .base import DB_INT_MAX, id_fits
from .records_api import ClientScopedApi

MONEY_MAX = Decimal("999999999999.99")  # Numeric(14, 2)


class BadQueryArgError(DomainError):
    """A list filter given in the query string is not a value it can take."""

    status_code = 400


class UnknownRecordError(DomainError):
    """A body names a record that does not exist where it should (a staff user...)."""


def db_id(value: str) -> int:
    """A query-string parser for a record id.  :raise ValueError: for anything else."""
    number = int(value)
    if not 1 <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number


def one_of(allowed) -> Callable[[str], str]:
    """A query-string parser accepting only ``allowed`` values."""

    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(value)
        return value

    return parse


def staff_by_ids(ids: list[int], field: str) -> list[User]:
    """The active staff users ``ids``.

    :raise UnknownRecordError: naming the ids that are not active staff users.
    """
    users = db.session.scalars(
        select(User).where(
            User.id.in_(ids), User.active.is_(True), User.roles.any(Role.name.in_(STAFF_ROLES))
        )
    ).all()
    unknown = sorted(set(ids) - {user.id for user in users})
    if unknown:
        raise UnknownRecordError(f"No staff user with id {', '.join(map(str, unknown))}.", field)
    return list(users)


# ---------------------------------------------------------------- fields


def Id(**kwargs) -> fields.Integer:  # noqa: N802 (reads like a field class)
    """A record id: a JSON integer in the database's range."""
    return fields.Integer(strict=True, validate=validate.Range(1, DB_INT_MAX), **kwargs)


def Count(low: int, high: int, **kwargs) -> fields.Integer:  # noqa: N802
    """A whole number between ``low`` and ``high`` (null allowed unless required)."""
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return fields.Integer(strict=True, validate=validate.Range(low, high), **kwargs)


def _cents(value: Decimal) -> None:
    if value.as_tuple().exponent < -2:
        raise ValidationError("An amount has at most 2 decimal places.")


class _Money(fields.Decimal):
    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            value = Decimal(value).quantize(Decimal("0.01"))
        return super()._serialize(value, attr, obj, **kwargs)


def Money(**kwargs) -> fields.Decimal:  # noqa: N802
    """An amount: a number or a decimal string in (at most 2 decimal places, never rounded
    behind the user's back), a decimal string with 2 places out; never a float."""
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return _Money(as_string=True, validate=[validate.Range(0, MONEY_MAX), _cents], **kwargs)


def Text(max_length: int, **kwargs) -> fields.String:  # noqa: N802
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def Choice(values, **kwargs) -> fields.String:  # noqa: N802
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return fields.String(validate=validate.OneOf(values), **kwargs)


class Section(fields.Nested):
    """A nested object of the JSON drawn from the record itself: ``jobDetails`` groups some of
    the job order's own columns. Loading gives a dict of those columns."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj


class Lines(fields.Field):
    """A list of strings kept one per line in a text column (a string is taken as is)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("metadata", {"type": "array", "items": {"type": "string"}})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        lines = (line.strip(" -•\t") for line in (value or "").splitlines())
        return [line for line in lines if line]

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return value.strip() or None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Give a list of strings.")
        if any("\n" in v for v in value):
            raise ValidationError("An item cannot span several lines.")
        return "\n".join(v.strip() for v in value if v.strip()) or None


TIMELINE_RE = re.compile(r"^\s*(\d{1,5})\s*(days?|weeks?)?\s*$", re.IGNORECASE)


class Days(fields.Field):
    """A number of days: ``60``, ``"60 days"`` or ``"8 weeks"`` in; ``"60 days"`` out."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("metadata", {"type": "string", "example": "60 days"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return f"{value} day" if value == 1 else f"{value} days"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            days = value
        else:
            match = TIMELINE_RE.match(value) if isinstance(value, str) else None
            if match is None:
                raise ValidationError('Give a number of days, such as 60 or "60 days".')
            unit = (match.group(2) or "days").lower()
            days = int(match.group(1)) * (7 if unit.startswith("week") else 1)
        if not 0 <= days <= 3650:
            raise ValidationError("Must be 0 to 3650 days.")
        return days


class Person(Schema):
    """A staff user as the API shows them: never the whole user row (it holds the hash)."""

    id = fields.Integer()
    first_name = fields.String(data_key="firstName")
    last_name = fields.String(data_key="lastName")


class ContactRef(Schema):
    id = fields.Integer()
    first_name = fields.String(data_key="firstName")
    last_name = fields.String(data_key="lastName")
    email = fields.String()


def error_paths(schema: type[Schema], prefix: str = "") -> dict[str, str]:
    """{model attribute: the JSON path naming it} for a schema and its sections."""
    paths = {}
    for name, field in schema._declared_fields.items():
        path = f"{prefix}{field.data_key or name}"
        if isinstance(field, Section):
            paths.update(error_paths(type(field.schema), f"{path}."))
        elif not field.dump_only:
            paths[field.attribute or name] = path
    return paths


def flatten(messages, prefix: str = "") -> dict[str, list]:
    """marshmallow's nested messages as {"jobDetails.workType": [...]}."""
    if not isinstance(messages, dict):
        return {prefix.rstrip(".") or "_schema": messages}
    flat = {}
    for key, value in messages.items():
        if key == "_schema" and prefix:
            flat[prefix.rstrip(".")] = value
        elif isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# ---------------------------------------------------------------- the API


class ShapedApi(ClientScopedApi):
    """A client-scoped API reading and answering ``schema``'s shape.

    Subclasses declare ``schema``, implement ``create(data)`` and ``update(item, data)``
    (calling model verbs), and may declare ``query_filters``: plain query-string filters
    ``{name: (parse, condition)}`` applied to the list besides FAB's rison ``filters``.
    """

    include_route_methods = {"get", "get_list", "post", "put"}
    schema: type[Schema]
    list_exclude: tuple[str, ...] = ()  # heavy parts left out of list rows
    update_exclude: tuple[str, ...] = ()  # fields that do not change after creation
    list_load_options: tuple = ()  # eager loads for what a list row shows
    query_filters: dict[str, tuple[Callable[[str], object], Callable[[object], object]]] = {}
    error_paths: dict[str, str] = {}
    more_error_paths: dict[str, str] = {}  # model fields the schema names otherwise

    def _init_model_schemas(self) -> None:
        self.show_model_schema = self.schema()
        self.list_model_schema = self.schema(exclude=self.list_exclude)
        self.add_model_schema = self.schema()
        self.edit_model_schema = self.schema(partial=True, exclude=self.update_exclude)
        self.error_paths = {
            "client": "clientId",
            **error_paths(self.schema),
            **self.more_error_paths,
        }
        super()._init_model_schemas()

    def add_apispec_components(self, api_spec) -> None:
        """Each schema once in the spec; a view that is the same as one already there (the
        list's, when it shows every field) is a reference to it."""
        BaseApi.add_apispec_components(self, api_spec)  # responses and parameters
        first: dict = {}
        for name, schema in (
            (self.show_model_schema_name, self.show_model_schema),
            (self.list_model_schema_name, self.list_model_schema),
            (self.add_model_schema_name, self.add_model_schema),
            (self.edit_model_schema_name, self.edit_model_schema),
        ):
            key = make_schema_key(schema)
            if key in first:
                api_spec.components.schema(name, {"$ref": f"#/components/schemas/{first[key]}"})
            else:
                first[key] = name
                api_spec.components.schema(name, schema=schema)

    # -- hooks for subclasses
    def create(self, data: dict):
        raise NotImplementedError

    def update(self, item, data: dict) -> None:
        raise NotImplementedError

    # -- reading
    def visible(self, pk: int | str):
        """The record ``pk`` if the user may see it, else None (an id past the database's
        integers included: the database would refuse to compare it)."""
        if not id_fits(pk):  # FAB's PUT route gives it as a string
            return None
        return self.datamodel.get(int(pk), self._base_filters)

    def get_headless(self, pk, **kwargs) -> Response:
        item = self.visible(pk)
        if item is None:
            return self.response_404()
        return self.response(200, id=pk, result=self.show_model_schema.dump(item))

    def get_list_headless(self, **kwargs) -> Response:
        args = kwargs.get("rison", {})
        try:
            filters = self._handle_filters_args(args)
            order_column, order_direction = self._handle_order_args(args)
            conditions = self._query_conditions()
        except FABException as error:
            return self.response_400(message=str(error))
        except BadQueryArgError as error:  # named as in the query string
            return self.response(error.status_code, message={error.field: [error.message]})
        page, page_size = self._handle_page_args(args)
        query = db.session.query(self.datamodel.obj).filter(*conditions)
        count = self.datamodel.query_count(query, filters)
        query = query.options(*self.list_load_options)
        rows = self.datamodel.apply_all(
            query, filters, order_column, order_direction, page, page_size
        ).all()
        return self.response(
            200,
            count=count,
            ids=[row.id for row in rows],
            result=self.list_model_schema.dump(rows, many=True),
        )

    def _query_conditions(self) -> list:
        conditions = []
        for name, (parse, condition) in self.query_filters.items():
            raw = request.args.get(name)
            if raw is None or raw == "":
                continue
            try:
                value = parse(raw)
            except (TypeError, ValueError):
                raise BadQueryArgError(f"'{raw}' is not a value {name} can take.", name) from None
            conditions.append(condition(value))
        return conditions

    # -- writing
    def post_headless(self) -> Response:
        return self.write(self.add_model_schema, self.create, 201)

    def put_headless(self, pk) -> Response:
        item = self.visible(pk)
        if item is None:
            return self.response_404()

        def apply(data):
            self.update(item, data)
            return item

        return self.write(self.edit_model_schema, apply, 200)

    def write(
        self,
        schema: Schema,
        apply: Callable,
        status: int,
        body_required=True,
        answer=None,
        shape: Schema | None = None,
    ) -> Response:
        """Read the body with ``schema``, ``apply`` it (model verbs), commit once, answer the
        record: 400 for a body that is not a JSON object, 422 naming each bad field, the
        model's own code (404, 409, 422...) for a rule it refuses. ``answer(item)`` adds
        top-level keys to the answer; ``shape`` dumps a record of another kind than the API's
        (its own schema by default)."""
        body = self.body(required=body_required)
        if isinstance(body, Response):
            return body
        try:
            data = schema.load(body)
        except ValidationError as error:
            return self.response_422(message=flatten(error.messages))
        try:
            item = apply(data)
            db.session.flush()  # the model rules run before each flush
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return self.domain_error(error)
        more = answer(item) if answer else {}
        result = (shape or self.show_model_schema).dump(item)
        return self.response(status, id=item.id, result=result, **more)

    def body(self, required: bool = True):
        """The request's JSON object (``{}`` for no body where none is needed), or a 400."""
        if not required and not request.get_data():
            return {}
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message="The body must be a JSON object.")
        return body

    def domain_error(self, error: DomainError) -> Response:
        field = self.error_paths.get(error.field, error.field) if error.field else "_schema"
        return self.response(error.status_code, message={field: [error.message]})

    def run_on(self, pk: int, verb: Callable, schema: Schema | None = None, answer=None, **options):
        """Run ``verb(item, data)`` on a visible record, with the body read by ``schema``
        (none needed without one), and answer the record (``options`` go to ``write``)."""
        item = self.visible(pk)
        if item is None:
            return self.response_404()

        def apply(data):
            verb(item, data)
            return item

        return self.write(
            schema or EMPTY, apply, 200, body_required=False, answer=answer, **options
        )


class Empty(Schema):
    """No body (or an empty object)."""


EMPTY = Empty()
