"""Service orders: an exhibition's price list and what exhibitors order for their booths.

An order after the exhibition's deadline follows its setting: refused, or priced with the
surcharge (and marked late). Electricity needs the socket's point, which must lie inside the
booth. Orders go onto the reservation's invoice (a correction when one was issued before).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from exhibit import audit
from exhibit.accounts.models import User
from exhibit.billing.models import PRICE_CATEGORIES, PriceItem, ServiceOrder
from exhibit.billing.services import _require_organiser, settings_of
from exhibit.booking.models import Reservation
from exhibit.booking.rules import ACTIVE_STATUSES, booth_number_key
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, DomainError, Forbidden, NotFound, tr
from exhibit.floorplan.models import Booth, Exhibition
from exhibit.timeutil import utcnow


def price_list(
    session: Session, exhibition: Exhibition, *, all_items: bool = False
) -> list[PriceItem]:
    query = select(PriceItem).where(PriceItem.exhibition_id == exhibition.id)
    if not all_items:
        query = query.where(PriceItem.active.is_(True))
    order = {c: i for i, c in enumerate(PRICE_CATEGORIES)}
    return sorted(session.scalars(query), key=lambda p: (order[p.category], p.name))


@unit_of_work
def save_price_item(
    session: Session,
    exhibition: Exhibition,
    user: User | None,
    *,
    code: str,
    category: str,
    name: str,
    price: Decimal | str,
    unit: str = "шт.",
    contractor: str = "",
    active: bool = True,
) -> PriceItem:
    """Add or change an item of the price list (by its code)."""
    organiser = _require_organiser(user)
    code = code.strip()
    if not code or not name.strip():
        raise DomainError(tr("У позиции прайс-листа нужны код и название"))
    if category not in PRICE_CATEGORIES:
        raise DomainError(tr("Неизвестный раздел прайс-листа: %(category)s", category=category))
    try:
        value = Decimal(str(price).replace(" ", "").replace(",", "."))
    except ArithmeticError:
        raise DomainError(tr("Цена «%(price)s» — не число", price=str(price))) from None
    if not value.is_finite() or value < 0:
        raise DomainError(tr("Цена «%(price)s» — не число", price=str(price)))
    item = session.scalar(select(PriceItem).where(
        PriceItem.exhibition_id == exhibition.id, PriceItem.code == code))  # fmt: skip
    if item is None:
        item = PriceItem(exhibition_id=exhibition.id, code=code)
        session.add(item)
    item.category, item.name, item.unit = category, name.strip()[:200], unit.strip()[:20] or "шт."
    item.price, item.contractor, item.active = (
        value.quantize(Decimal("0.01")),
        contractor[:200],
        active,
    )
    session.flush()
    audit.record(session, "price.saved", "price_item", item.id, user_id=organiser.id,
                 after={"code": code, "name": item.name, "price": str(item.price),
                        "category": category, "contractor": item.contractor})  # fmt: skip
    return item


def order_state(order: ServiceOrder) -> dict[str, Any]:
    return {
        "reservation_id": order.reservation_id, "booth_id": order.reservation.booth_id,
        "exhibitor_id": order.reservation.exhibitor_id, "item": order.item.code,
        "quantity": str(order.quantity), "unit_price": str(order.unit_price),
        "late": order.late, "status": order.status,
        "point": None if order.point_x is None else [order.point_x, order.point_y],
    }  # fmt: skip


def _own_reservation(session: Session, reservation_id: int, user: User | None) -> Reservation:
    if user is None or (not user.is_organiser and user.exhibitor_id is None):
        raise Forbidden(tr("Заказывают услуги экспоненты и организаторы"))
    reservation = session.get(Reservation, reservation_id)
    if reservation is None or not (
        user.is_organiser or user.exhibitor_id == reservation.exhibitor_id
    ):
        raise NotFound(
            tr("Бронирование %(reservation_id)s не найдено", reservation_id=reservation_id)
        )
    return reservation


@unit_of_work
def place_order(
    session: Session,
    reservation_id: int,
    user: User | None,
    *,
    item_code: str,
    quantity: Decimal | str | int,
    point: tuple[float, float] | None = None,
) -> ServiceOrder:
    """Order ``quantity`` of a price-list item for the reservation's booth."""
    reservation = _own_reservation(session, reservation_id, user)
    assert user is not None
    if reservation.status not in ACTIVE_STATUSES:
        raise Conflict(tr("Услуги заказывают на действующее бронирование"))
    booth = reservation.booth
    exhibition = booth.hall.exhibition
    item = session.scalar(select(PriceItem).where(
        PriceItem.exhibition_id == exhibition.id, PriceItem.code == item_code,
        PriceItem.active.is_(True)))  # fmt: skip
    if item is None:
        raise NotFound(tr("Услуги «%(code)s» нет в прайс-листе", code=item_code))
    try:
        amount = Decimal(str(quantity).replace(",", "."))
    except ArithmeticError:
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount > 10000:
        raise DomainError(tr("Количество: число больше нуля"))
    if item.category == "electricity":
        if point is None:
            raise DomainError(tr("Отметьте на чертеже стенда %(number)s, где нужна розетка",
                                 number=booth.number))  # fmt: skip
        if not booth.polygon.covers(Point(point)):
            raise DomainError(
                tr("Розетка должна быть внутри стенда %(number)s", number=booth.number)
            )
    elif point is not None:
        point = None
    settings = settings_of(session, exhibition)
    price, late = item.price, False
    if settings.order_deadline is not None and utcnow().date() > settings.order_deadline:
        if settings.late_policy == "refuse":
            raise Conflict(tr("Заказы приняты до %(day)s; срок прошёл",
                              day=settings.order_deadline.strftime("%d.%m.%Y")))  # fmt: skip
        late = True
        surcharge = settings.late_surcharge_percent or Decimal(0)
        price = (price * (100 + surcharge) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    order = ServiceOrder(
        reservation_id=reservation.id, price_item_id=item.id, quantity=amount,
        unit_price=price, late=late, point_x=point[0] if point else None,
        point_y=point[1] if point else None, created_by_id=user.id,
    )  # fmt: skip
    session.add(order)
    session.flush()
    session.refresh(order)
    audit.record(session, "order.placed", "service_order", order.id, after=order_state(order),
                 user_id=user.id)  # fmt: skip
    return order


@unit_of_work
def cancel_order(session: Session, order_id: int, user: User | None) -> ServiceOrder:
    order = session.get(ServiceOrder, order_id)
    if order is None:
        raise NotFound(tr("Заказ %(id)s не найден", id=order_id))
    _own_reservation(session, order.reservation_id, user)
    assert user is not None
    if order.status == "cancelled":
        return order
    before = order_state(order)
    order.status = "cancelled"
    audit.record(session, "order.cancelled", "service_order", order.id, before=before,
                 after=order_state(order), user_id=user.id)  # fmt: skip
    return order


def follow_booth(
    session: Session, reservation: Reservation, old_booth_id: int | None, user: User | None
) -> None:
    """A moved reservation's socket points move with it: shifted by the distance between the
    two booths' centres, kept when inside the new booth, else cleared for the exhibitor to
    mark again (the contractor list then says so). Each change is an audit event."""
    old = session.get(Booth, old_booth_id) if old_booth_id is not None else None
    booth = reservation.booth
    if old is None or old.id == booth.id:
        return
    shift_x = booth.polygon.centroid.x - old.polygon.centroid.x
    shift_y = booth.polygon.centroid.y - old.polygon.centroid.y
    for order in session.scalars(
        select(ServiceOrder).where(ServiceOrder.reservation_id == reservation.id,
                                   ServiceOrder.status == "active",
                                   ServiceOrder.point_x.is_not(None))
    ):  # fmt: skip
        before = order_state(order)
        moved = Point(order.point_x + shift_x, order.point_y + shift_y)
        inside = booth.polygon.covers(moved)
        order.point_x = moved.x if inside else None
        order.point_y = moved.y if inside else None
        session.flush()
        audit.record(session, "order.point_moved", "service_order", order.id, before=before,
                     after=order_state(order), user_id=user.id if user else None)  # fmt: skip


def orders(
    session: Session,
    user: User | None,
    *,
    exhibition: Exhibition | None = None,
    reservation_id: int | None = None,
) -> list[ServiceOrder]:
    """Active orders a user may see: an organiser all, an exhibitor their own."""
    if user is None or (not user.is_organiser and user.exhibitor_id is None):
        raise Forbidden(tr("Заказы видят экспоненты и организаторы"))
    query = (
        select(ServiceOrder)
        .join(Reservation, Reservation.id == ServiceOrder.reservation_id)
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(ServiceOrder.status == "active")
        .options(selectinload(ServiceOrder.item), selectinload(ServiceOrder.reservation))
        .order_by(ServiceOrder.id)
    )
    if not user.is_organiser:
        query = query.where(Reservation.exhibitor_id == user.exhibitor_id)
    if exhibition is not None:
        query = query.where(Booth.exhibition_id == exhibition.id)
    if reservation_id is not None:
        query = query.where(ServiceOrder.reservation_id == reservation_id)
    return list(session.scalars(query))


def contractor_lists(
    session: Session, exhibition: Exhibition, user: User | None
) -> dict[str, list[dict[str, Any]]]:
    """The technical list per contractor: booth, exhibitor, item, quantity, socket point."""
    _require_organiser(user)
    lists: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for order in orders(session, user, exhibition=exhibition):
        if order.reservation.status not in ACTIVE_STATUSES:
            continue
        booth = order.reservation.booth
        lists[order.item.contractor or "—"].append({
            "booth": booth.number, "hall": booth.hall.name,
            "exhibitor": order.reservation.exhibitor.name, "item": order.item.name,
            "quantity": order.quantity, "unit": order.item.unit,
            "position": f"x={order.point_x:.2f} м, y={order.point_y:.2f} м"
            if order.point_x is not None else "место розетки не отмечено"
            if order.item.category == "electricity" else "",
        })  # fmt: skip
    for rows in lists.values():
        rows.sort(key=lambda r: (booth_number_key(r["booth"]), r["item"]))
    return dict(sorted(lists.items()))


def power_points(session: Session, exhibition: Exhibition) -> list[dict[str, Any]]:
    """Sockets ordered in the exhibition (for the power layer of the sales map)."""
    points = []
    for order in session.scalars(
        select(ServiceOrder).join(PriceItem).join(Reservation)
        .where(PriceItem.exhibition_id == exhibition.id, PriceItem.category == "electricity",
               ServiceOrder.status == "active", ServiceOrder.point_x.is_not(None),
               Reservation.status.in_(ACTIVE_STATUSES))
    ):  # fmt: skip
        points.append({"x": order.point_x, "y": order.point_y, "kw": order.quantity,
                       "booth": order.reservation.booth.number,
                       "hall_id": order.reservation.booth.hall_id})  # fmt: skip
    return points
