"""Marshmallow schemas of the API: what requests may carry and what responses hold.

Query parameters and bodies are validated with them (422 naming the field and the reason);
responses are dumped through them; the OpenAPI document is generated from them.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from exhibit.booking.rules import RESERVATION_STATUSES
from exhibit.catalogue.rules import EXHIBITOR_KINDS, SIZE_CLASSES, STAGES
from exhibit.catalogue.services import read_data_file
from exhibit.maps.printing import EDITIONS, PAPER, SCALES

MAX_LIMIT = 100
#: Paging further than this is not browsing; it also keeps OFFSET inside a 32-bit integer.
MAX_OFFSET = 100_000
BOOTH_STATUSES = ("available", "held", "requested", "confirmed", "blocked")
TRACKS = tuple(row["code"] for row in read_data_file("tracks.json"))
REGIONS = tuple(row["code"] for row in read_data_file("regions.json"))


def text(max_length: int, **kwargs: Any) -> fields.String:
    """A string without NUL characters (no database stores them) and of bounded length."""
    return fields.String(
        validate=[
            validate.Length(max=max_length),
            validate.Regexp(r"^[^\x00]*$", error="Строка не может содержать символ NUL"),
        ],
        **kwargs,
    )


class UtcDateTime(fields.DateTime):
    """A naive UTC datetime of the database written as RFC 3339 with ``Z``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"


# --- requests -------------------------------------------------------------------------


class PageArgs(ma.Schema):
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"How many items (1…{MAX_LIMIT})"},
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_OFFSET),
        metadata={"description": "How many items to skip"},
    )


class SearchArgs(PageArgs):
    q = text(200, load_default="", metadata={"description": "Words, a booth number, a place"})
    track = fields.String(validate=validate.OneOf(TRACKS))
    region = fields.String(validate=validate.OneOf(REGIONS), metadata={"description": "Code"})
    size = fields.String(validate=validate.OneOf(SIZE_CLASSES))
    kind = fields.String(validate=validate.OneOf(EXHIBITOR_KINDS))
    stage = fields.String(validate=validate.OneOf(STAGES))
    tag = text(100)


class ExhibitorListArgs(PageArgs):
    region = fields.String(validate=validate.OneOf(REGIONS), metadata={"description": "Code"})
    kind = fields.String(validate=validate.OneOf(EXHIBITOR_KINDS))


class SolutionListArgs(PageArgs):
    track = fields.String(validate=validate.OneOf(TRACKS))
    stage = fields.String(validate=validate.OneOf(STAGES))


class BoothArgs(ma.Schema):
    hall = text(100, metadata={"description": "Only this hall's booths"})
    status = fields.String(validate=validate.OneOf(BOOTH_STATUSES))


class MapArgs(ma.Schema):
    paper = fields.String(load_default="A1", validate=validate.OneOf(tuple(PAPER)))
    edition = fields.String(load_default="visitor", validate=validate.OneOf(EDITIONS))
    landscape = fields.Boolean(load_default=False)
    scale = fields.String(
        load_default="fit",
        validate=validate.OneOf(("fit", *(str(s) for s in SCALES))),
        metadata={"description": "`fit` the page, or true scale 1:100, 1:200, 1:500"},
    )


#: One to twenty booth numbers separated by commas, semicolons or spaces.
STOPS_PATTERN = r"^[\s,;]*[^\s,;\x00]+([\s,;]+[^\s,;\x00]+){0,19}[\s,;]*$"


class RouteArgs(ma.Schema):
    stops = fields.String(
        required=True,
        validate=[
            validate.Length(max=400),
            validate.Regexp(
                STOPS_PATTERN, error="Перечислите от 1 до 20 номеров стендов через запятую"
            ),
        ],
        metadata={"description": "Booth numbers to visit, comma-separated (1 to 20): F14,G2"},
    )
    start = text(
        64,
        data_key="from",
        load_default="",
        metadata={
            "description": 'A "you are here" poster point (P1) or an entrance\'s name; '
            "without it the route starts at the main entrance. A point no longer on the plan "
            "starts there too, with a `notice`"
        },
    )
    step_free = fields.Boolean(
        load_default=False, metadata={"description": "Avoid steps and narrow passages"}
    )
    lang = fields.String(load_default="ru", validate=validate.OneOf(("ru", "en")))
    hall = text(100, metadata={"description": "Hall name (default: the first hall)"})


class RouteStep(ma.Schema):
    text = fields.String(required=True)
    distance_m = fields.Integer(required=True)


class RouteLine(ma.Schema):
    type = fields.String(required=True)
    coordinates = fields.List(fields.List(fields.Float()), required=True)


class RouteOut(ma.Schema):
    length_m = fields.Integer(required=True, metadata={"description": "Metres, rounded"})
    steps = fields.List(fields.Nested(RouteStep), required=True)
    geometry = fields.Nested(RouteLine, required=True, metadata={"description": "Plan metres"})
    order = fields.List(fields.String(), required=True)
    start = fields.String(required=True, metadata={"description": "Point id or `entrance`"})
    step_free = fields.Boolean(required=True)
    notice = fields.String(allow_none=True, required=True)


class ReservationListArgs(PageArgs):
    exhibition = text(80, metadata={"description": "Slug of an exhibition"})
    status = fields.String(validate=validate.OneOf(RESERVATION_STATUSES))


class HoldBody(ma.Schema):
    exhibitor_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    hours = fields.Integer(
        validate=validate.Range(min=1, max=24 * 90),
        metadata={"description": "How long the hold lasts (default: the exhibition's)"},
    )


class BlockBody(ma.Schema):
    reason = text(200, load_default="", metadata={"description": "Why it is not for sale"})


class MoveBody(ma.Schema):
    booth = text(20, required=True, metadata={"description": "Number of the target booth"})


# --- responses ------------------------------------------------------------------------


class Page(ma.Schema):
    total = fields.Integer(required=True, metadata={"description": "Items in all pages"})
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class Ref(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class HallSummary(ma.Schema):
    name = fields.String(required=True)
    plan_version = fields.Integer(required=True)
    booths = fields.Integer(required=True, metadata={"description": "Booths on the plan"})
    area_m2 = fields.Float(required=True, metadata={"description": "Floor area of the hall"})
    bounds = fields.List(
        fields.Float(),
        required=True,
        metadata={"description": "[min x, min y, max x, max y] in metres"},
    )


class ExhibitionOut(ma.Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    title_en = fields.String(allow_none=True, required=True)
    venue = fields.String(required=True)
    city = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    currency = fields.String(required=True)
    hold_hours = fields.Integer(required=True)
    halls = fields.List(fields.String(), required=True, metadata={"description": "Hall names"})


class ExhibitionPage(Page):
    items = fields.List(fields.Nested(ExhibitionOut), required=True)


class HallPage(Page):
    items = fields.List(fields.Nested(HallSummary), required=True)


class TrackOut(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    description = fields.String(required=True)
    color = fields.String(required=True)


class TrackPage(Page):
    items = fields.List(fields.Nested(TrackOut), required=True)


class RegionOut(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    kind = fields.String(required=True)
    federal_district = fields.String(required=True)


class RegionPage(Page):
    items = fields.List(fields.Nested(RegionOut), required=True)


class RegionRef(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class SolutionBrief(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    track = fields.String(required=True, attribute="track_code")
    stage = fields.String(required=True)


class ExhibitorOut(ma.Schema):
    id = fields.Integer(required=True)
    exhibition = fields.String(required=True, metadata={"description": "Slug"})
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True)
    region = fields.Nested(RegionRef, allow_none=True, required=True)
    municipality = fields.String(allow_none=True, required=True)
    population = fields.Integer(allow_none=True, required=True)
    size_class = fields.String(allow_none=True, required=True)
    description = fields.String(required=True)
    website = fields.String(allow_none=True, required=True)
    booths = fields.List(
        fields.String(), required=True, metadata={"description": "Confirmed booth numbers"}
    )
    solutions = fields.List(fields.Nested(SolutionBrief), required=True)


class ExhibitorPage(Page):
    items = fields.List(fields.Nested(ExhibitorOut), required=True)


class SolutionOut(ma.Schema):
    id = fields.Integer(required=True)
    exhibition = fields.String(required=True, metadata={"description": "Slug"})
    title = fields.String(required=True)
    summary = fields.String(required=True)
    description = fields.String(required=True)
    track = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    stage = fields.String(required=True)
    results = fields.String(required=True)
    size_classes = fields.List(fields.String(), required=True)
    exhibitor = fields.Nested(Ref, required=True)
    booths = fields.List(fields.String(), required=True)


class SolutionPage(Page):
    items = fields.List(fields.Nested(SolutionOut), required=True)


class SearchHit(ma.Schema):
    type = fields.String(required=True, validate=validate.OneOf(("solution", "exhibitor")))
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    exhibitor = fields.Nested(Ref, required=True)
    region = fields.String(allow_none=True, required=True)
    booth = fields.String(allow_none=True, required=True)


class FacetValue(ma.Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)


class SearchOut(Page):
    results = fields.List(fields.Nested(SearchHit), required=True)
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FacetValue)),
        required=True,
        metadata={"description": "track, region, size, kind, stage, tag: values and counts"},
    )
    missing = fields.List(
        fields.String(),
        metadata={"description": "Words of the query found in no document (the rest matched)"},
    )
    did_you_mean = fields.String(
        allow_none=True,
        metadata={"description": "A corrected query that finds something, or null"},
    )
    closest = fields.List(
        fields.Nested(SearchHit),
        metadata={"description": "When nothing is found: the nearest documents"},
    )


class Geometry(ma.Schema):
    type = fields.String(required=True)
    coordinates = fields.List(fields.Raw(), required=True)


class BoothProperties(ma.Schema):
    number = fields.String(required=True)
    hall = fields.String(required=True)
    kind = fields.String(required=True)
    area_m2 = fields.Float(required=True)
    price = fields.Float(required=True)
    status = fields.String(required=True, validate=validate.OneOf(BOOTH_STATUSES))
    exhibitor = fields.Nested(
        Ref, allow_none=True, required=True, metadata={"description": "When confirmed"}
    )


class BoothFeature(ma.Schema):
    type = fields.String(required=True, validate=validate.Equal("Feature"))
    geometry = fields.Nested(Geometry, required=True)
    properties = fields.Nested(BoothProperties, required=True)


class BoothCollection(ma.Schema):
    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(BoothFeature), required=True)


class ReservationOut(ma.Schema):
    id = fields.Integer(required=True)
    exhibition = fields.String(required=True, metadata={"description": "Slug"})
    hall = fields.String(required=True)
    booth = fields.String(required=True, metadata={"description": "Booth number"})
    exhibitor = fields.Nested(Ref, required=True)
    status = fields.String(required=True, validate=validate.OneOf(RESERVATION_STATUSES))
    expires_at = UtcDateTime(
        allow_none=True, required=True, metadata={"description": "When a hold lapses"}
    )
    created_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(allow_none=True, required=True)


class ReservationPage(Page):
    items = fields.List(fields.Nested(ReservationOut), required=True)


# --- the money side (issue 16) -----------------------------------------------------------


class BillingListArgs(PageArgs):
    exhibition = text(80, metadata={"description": "Slug of an exhibition"})


class InvoiceListArgs(BillingListArgs):
    state = fields.String(
        validate=validate.OneOf(("unpaid", "partial", "paid", "overpaid")),
        metadata={"description": "Payment state of current invoices"},
    )


class InvoiceLine(ma.Schema):
    name = fields.String(required=True)
    quantity = fields.Decimal(required=True, as_string=True)
    unit = fields.String(required=True)
    price = fields.Decimal(required=True, as_string=True)
    amount = fields.Decimal(required=True, as_string=True)


class InvoiceOut(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    exhibition = fields.String(required=True, metadata={"description": "Slug"})
    exhibitor = fields.Nested(Ref, required=True)
    reservation_id = fields.Integer(required=True)
    booth = fields.String(required=True)
    issued = fields.Date(required=True)
    due = fields.Date(required=True, allow_none=True)
    total = fields.Decimal(required=True, as_string=True)
    vat = fields.Decimal(required=True, as_string=True, allow_none=True,
                         metadata={"description": "null: без НДС"})  # fmt: skip
    paid = fields.Decimal(required=True, as_string=True)
    status = fields.String(
        required=True, validate=validate.OneOf(("issued", "superseded", "cancelled"))
    )
    payment_state = fields.String(required=True)
    overdue = fields.Boolean(required=True)
    replaces = fields.String(required=True, allow_none=True)
    lines = fields.List(fields.Nested(InvoiceLine), required=True)
    settlement = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(("pending", "refund", "credit")),
        metadata={"description": "An annulled (cancelled) invoice's money: pending a decision, "
                  "refunded or credited to another invoice; null otherwise"},
    )  # fmt: skip
    pdf = fields.String(required=True, metadata={"description": "Where the PDF is"})


class InvoicePage(Page):
    items = fields.List(fields.Nested(InvoiceOut), required=True)


class PaymentOut(ma.Schema):
    id = fields.Integer(required=True)
    invoice = fields.String(required=True, allow_none=True)
    amount = fields.Decimal(required=True, as_string=True)
    paid_on = fields.Date(required=True)
    payer = fields.String(required=True)
    payer_inn = fields.String(required=True)
    purpose = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(("manual", "statement")))
    state = fields.String(
        required=True, validate=validate.OneOf(("matched", "doubtful", "unmatched"))
    )
    overpaid = fields.Decimal(required=True, as_string=True)


class PaymentPage(Page):
    items = fields.List(fields.Nested(PaymentOut), required=True)


class OrderOut(ma.Schema):
    id = fields.Integer(required=True)
    reservation_id = fields.Integer(required=True)
    booth = fields.String(required=True)
    exhibitor = fields.Nested(Ref, required=True)
    item = fields.String(required=True, metadata={"description": "Price list code"})
    name = fields.String(required=True)
    quantity = fields.Decimal(required=True, as_string=True)
    unit_price = fields.Decimal(required=True, as_string=True)
    amount = fields.Decimal(required=True, as_string=True)
    late = fields.Boolean(required=True)
    point = fields.List(fields.Float(), required=True, allow_none=True,
                        metadata={"description": "The socket [x, y] in plan metres"})  # fmt: skip


class OrderPage(Page):
    items = fields.List(fields.Nested(OrderOut), required=True)


class OrderBody(ma.Schema):
    reservation_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    item = text(40, required=True, metadata={"description": "Price list code"})
    quantity = fields.Float(
        required=True, allow_nan=False,
        validate=validate.Range(min=0.01, max=10000),
    )  # fmt: skip
    point = fields.List(
        fields.Float(allow_nan=False, validate=validate.Range(min=-1e6, max=1e6)),
        validate=validate.Length(equal=2),
        metadata={"description": "Electricity: the socket [x, y], inside the booth"},
    )
