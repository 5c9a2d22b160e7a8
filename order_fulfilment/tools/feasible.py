"""Capable-to-promise planning (生产能力/交期), free of the ORM.

The planner answers "when can these quantities be ready?" against a picture of the plant
that the caller provides (a ``plant`` object, see :class:`Planner`): free stock and incoming
receipts per product, bills of materials with their operations, vendor lead times, and for
each work centre its working time and the time already booked by planned work orders.

It books nothing for real: every booking lives in memory, and :meth:`Planner.mark` /
:meth:`Planner.rollback` undo what a trial plan took, so that one loaded picture of the
plant serves several quotations in turn.

All datetimes are naive UTC, as Odoo stores them.
"""

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytz

EPSILON = 1e-6
# Like mrp.workcenter._get_first_available_slot: give up 700 days ahead.
HORIZON_DAYS = 700
# Days of calendar and load read at once for a work centre; each further read doubles.
FIRST_WINDOW_DAYS = 28


@dataclass
class Operation:
    """One operation of a BoM. ``workcenter_ids``: the main work centre first, then the
    alternatives; ``blocked_by``: ids of the operations that must finish first."""

    id: int
    name: str
    workcenter_ids: list
    blocked_by: list = field(default_factory=list)


@dataclass
class Item:
    """How a product is supplied.

    ``kind``: "make" (a manufacturing BoM), "kit" (a phantom BoM: its components are
    delivered), "buy" (a vendor with ``vendor_delay`` days), "free" (not tracked in stock:
    always available) or "none" (stock and receipts only).
    ``components``: (product id, quantity per ``bom_qty`` of this product, both in the
    products' own units). ``operations`` are in planning order (blockers first).
    """

    id: int
    name: str
    kind: str = "none"
    bom_qty: float = 1.0
    components: list = field(default_factory=list)
    operations: list = field(default_factory=list)
    vendor_delay: int = 0
    produce_delay: int = 0


@dataclass
class Ready:
    """When a quantity is ready (``date`` None: cannot be told) and what sets that date."""

    date: datetime
    cause: dict


class Stock:
    """Free stock of one product: on hand less what confirmed orders already need, then the
    incoming receipts by date. What those orders need beyond the stock on hand is served
    first from the earliest receipts."""

    def __init__(self, free, receipts):
        receipts = sorted([date, qty] for date, qty in receipts if qty > EPSILON)
        while free < -EPSILON and receipts:
            used = min(-free, receipts[0][1])
            free += used
            receipts[0][1] -= used
            if receipts[0][1] <= EPSILON:
                receipts.pop(0)
        self.free = max(free, 0.0)
        self.receipts = receipts

    def received_by(self, date):
        """(quantity, date of the last of them) of the receipts arriving by ``date`` (None:
        all of them)."""
        total, last = 0.0, None
        for received_on, received in self.receipts:
            if date is not None and received_on > date:
                break
            total, last = total + received, received_on
        return total, last

    def receipt_date(self, qty):
        """The date by which the receipts bring ``qty``, or None."""
        total = 0.0
        for date, received in self.receipts:
            total += received
            if total >= qty - EPSILON:
                return date
        return None


class WorkcentreLoad:
    """Working time, booked time and the trial bookings of one work centre.

    ``working``: sorted, disjoint (start, stop) intervals of working time (calendar less leaves).
    ``busy``: sorted, disjoint intervals of time already booked (planned work orders).
    ``booked``: this planner's own bookings, disjoint from ``busy`` and from each other.
    """

    def __init__(self, workcenter_id, start):
        self.id = workcenter_id
        self.loaded_until = start
        self.window = timedelta(days=FIRST_WINDOW_DAYS)
        self.working = []
        self.busy = []
        self.busy_ends = []
        self.booked = []
        self.booked_ends = []

    def extend(self, working, busy, until):
        self.working.extend(interval for interval in working if interval[1] > interval[0])
        for start, stop in busy:
            if self.busy and start <= self.busy[-1][1]:
                if stop > self.busy[-1][1]:
                    self.busy[-1] = (self.busy[-1][0], stop)
                    self.busy_ends[-1] = stop
                continue
            self.busy.append((start, stop))
            self.busy_ends.append(stop)
        self.loaded_until = until

    def conflict(self, start, stop):
        """The first booked interval meeting [start, stop), or None."""
        found = None
        for intervals, ends in ((self.busy, self.busy_ends), (self.booked, self.booked_ends)):
            index = bisect_right(ends, start)
            if (
                index < len(intervals)
                and intervals[index][0] < stop
                and (found is None or intervals[index][0] < found[0])
            ):
                found = intervals[index]
        return found

    def book(self, start, stop):
        insort(self.booked, (start, stop))
        insort(self.booked_ends, stop)

    def unbook(self, start, stop):
        self.booked.remove((start, stop))
        self.booked_ends.remove(stop)


@dataclass
class Slot:
    workcenter_id: int
    start: datetime
    stop: datetime
    segments: list
    booked_until: datetime = None


class Planner:
    """Plans quantities against a plant, in memory.

    ``plant`` provides:

    - ``item(product_id)`` -> :class:`Item`
    - ``stock(product_id)`` -> :class:`Stock`
    - ``duration(operation, workcenter_id, product_id, qty)`` -> minutes of work
    - ``load(workcenter_ids, start, stop)`` -> {workcenter id: (working, busy)}, lists of
      (start, stop) in [start, stop) (busy intervals may begin earlier)

    ``start``: the moment planning begins (now); ``tz``: the time zone in which working
    days are counted for the explanation.
    """

    def __init__(self, plant, start, tz="UTC", horizon_days=HORIZON_DAYS):
        self.plant = plant
        self.start = start
        self.tz = pytz.timezone(tz) if isinstance(tz, str) else tz
        self.limit = start + timedelta(days=horizon_days)
        self.loads = {}
        self.stocks = {}
        self.journal = []
        self.bookings = []

    # ------------------------------------------------------------------
    # Trial plans
    # ------------------------------------------------------------------
    def mark(self):
        return len(self.journal)

    def rollback(self, mark=0):
        while len(self.journal) > mark:
            self.journal.pop()()

    def _stock(self, product_id):
        if product_id not in self.stocks:
            self.stocks[product_id] = self.plant.stock(product_id)
        return self.stocks[product_id]

    def _take_free(self, stock, qty):
        taken = min(stock.free, qty)
        if taken > EPSILON:
            stock.free -= taken
            self.journal.append(lambda: setattr(stock, "free", stock.free + taken))
        return max(taken, 0.0)

    def _take_receipts(self, stock, qty):
        before = [list(receipt) for receipt in stock.receipts]
        while qty > EPSILON and stock.receipts:
            used = min(qty, stock.receipts[0][1])
            qty -= used
            stock.receipts[0][1] -= used
            if stock.receipts[0][1] <= EPSILON:
                stock.receipts.pop(0)
        self.journal.append(lambda: setattr(stock, "receipts", before))

    def _book(self, load, slot):
        load.book(slot.start, slot.stop)
        self.bookings.append(slot)

        def undo():
            load.unbook(slot.start, slot.stop)
            self.bookings.remove(slot)

        self.journal.append(undo)

    # ------------------------------------------------------------------
    # Quantities
    # ------------------------------------------------------------------
    def need(self, product_id, qty):
        """When ``qty`` of the product can be ready, taking what it uses from the plant."""
        item = self.plant.item(product_id)
        base = {"product_id": product_id, "qty": qty}
        if qty <= EPSILON or item.kind == "free":
            return Ready(self.start, {**base, "kind": "stock"})
        if item.kind == "kit":
            return self._latest(
                [self.need(pid, qty * per / (item.bom_qty or 1.0)) for pid, per in item.components],
                {**base, "kind": "kit"},
            )
        stock = self._stock(product_id)
        rest = qty - self._take_free(stock, qty)
        if rest <= EPSILON:
            return Ready(self.start, {**base, "kind": "stock"})
        base["from_stock"] = qty - rest
        if item.kind == "make":
            mark = self.mark()
            made = self._make(item, rest, base)
            return self._with_receipts(stock, rest, base, made, lambda q: self._make(item, q, base), mark)
        if item.kind == "buy":
            bought = self.start + timedelta(days=item.vendor_delay)

            def buy(missing):
                return Ready(
                    bought,
                    {**base, "kind": "vendor", "missing": missing, "days": item.vendor_delay, "date": bought},
                )

            return self._with_receipts(stock, rest, base, buy(rest), buy)
        receipt_date = stock.receipt_date(rest)
        if receipt_date is not None:
            self._take_receipts(stock, rest)
            return self._received(base, rest, receipt_date)
        return Ready(None, {**base, "kind": "shortage", "missing": rest})

    def _received(self, base, qty, date):
        date = max(date, self.start)
        return Ready(date, {**base, "kind": "receipt", "missing": qty, "date": date})

    def _with_receipts(self, stock, rest, base, whole, supply, mark=None):
        """``rest`` from the receipts that arrive before ``whole`` (the rest made or bought in
        full) is ready, then the remainder from ``supply(qty)``: the later of the two parts.
        ``mark``: where to roll back ``whole``'s trial bookings when receipts replace it."""
        received, last = stock.received_by(whole.date)
        if received <= EPSILON:
            return whole
        if mark is not None:
            self.rollback(mark)
        if received >= rest - EPSILON:
            date = stock.receipt_date(rest)
            self._take_receipts(stock, rest)
            return self._received(base, rest, date)
        self._take_receipts(stock, received)
        part = supply(rest - received)
        receipt = self._received(base, received, last)
        parts = {**base, "kind": "parts", "missing": rest, "parts": [receipt.cause, part.cause]}
        if part.date is None:
            return Ready(None, {**parts, "driver": part.cause})
        later = part if part.date >= receipt.date else receipt
        return Ready(later.date, {**parts, "driver": later.cause})

    def _latest(self, results, cause):
        """The latest of several results (None, cannot be told, is the latest)."""
        latest = None
        for result in results:
            if result.date is None:
                return Ready(None, {**cause, "driver": result.cause})
            if latest is None or result.date > latest.date:
                latest = result
        if latest is None:
            return Ready(self.start, {**cause, "kind": "stock"})
        return Ready(latest.date, {**cause, "driver": latest.cause})

    def _make(self, item, qty, base):
        factor = qty / (item.bom_qty or 1.0)
        components_ready = self.start
        driver = None
        for product_id, per in item.components:
            result = self.need(product_id, per * factor)
            if result.date is None:
                return Ready(
                    None, {**base, "kind": "make", "missing": qty, "driver": result.cause, "steps": []}
                )
            if result.date > components_ready:
                components_ready, driver = result.date, result.cause
        if not item.operations:
            finish = components_ready + timedelta(days=item.produce_delay)
            return Ready(
                finish,
                {
                    **base,
                    "kind": "make",
                    "missing": qty,
                    "date": finish,
                    "driver": driver,
                    "steps": [],
                    "produce_delay": item.produce_delay,
                },
            )
        ends = {}
        steps = {}
        for operation in item.operations:
            earliest, after = components_ready, ("components", driver)
            for blocker in operation.blocked_by:
                if blocker in ends and ends[blocker] > earliest:
                    earliest, after = ends[blocker], ("operation", blocker)
            best = None
            for workcenter_id in operation.workcenter_ids:
                minutes = self.plant.duration(operation, workcenter_id, item.id, qty)
                slot = self.first_slot(workcenter_id, earliest, minutes)
                if slot is not None and (best is None or slot.stop < best.stop):
                    best = slot
            if best is None:
                return Ready(
                    None,
                    {
                        **base,
                        "kind": "make",
                        "missing": qty,
                        "steps": [],
                        "driver": {
                            "kind": "no_slot",
                            "workcenter_id": operation.workcenter_ids[0]
                            if operation.workcenter_ids
                            else False,
                            "operation": operation.name,
                        },
                    },
                )
            if best.stop > best.start:
                self._book(self.loads[best.workcenter_id], best)
            ends[operation.id] = best.stop
            steps[operation.id] = {
                "operation": operation.name,
                "workcenter_id": best.workcenter_id,
                "start": best.start,
                "stop": best.stop,
                "earliest": earliest,
                "after": after,
                "booked_until": best.booked_until if best.start > earliest else None,
                "segments": best.segments,
            }
        last = max(steps.values(), key=lambda step: step["stop"])
        return Ready(
            last["stop"],
            {
                **base,
                "kind": "make",
                "missing": qty,
                "date": last["stop"],
                "steps": list(steps.values()),
                "driver": self._critical(last, steps),
                "days": self._working_days(steps.values()),
            },
        )

    def _critical(self, step, steps):
        """What held back the last operation: a busy work centre, a component, or nothing."""
        while True:
            if step["booked_until"] is not None:
                return {
                    "kind": "workcenter",
                    "workcenter_id": step["workcenter_id"],
                    "operation": step["operation"],
                    "booked_until": step["booked_until"],
                    "start": step["start"],
                }
            kind, value = step["after"]
            if kind == "operation":
                step = steps[value]
                continue
            return value

    def _working_days(self, steps):
        days = set()
        for step in steps:
            for start, stop in step["segments"]:
                local_start = pytz.utc.localize(start).astimezone(self.tz)
                local_stop = pytz.utc.localize(stop - timedelta(microseconds=1)).astimezone(self.tz)
                days.add(local_start.date())
                days.add(local_stop.date())
        return len(days)

    # ------------------------------------------------------------------
    # Work centres
    # ------------------------------------------------------------------
    def preload(self, workcenter_ids):
        """Read the first window of every work centre at once."""
        todo = [wc for wc in workcenter_ids if wc not in self.loads]
        if not todo:
            return
        stop = self.start + timedelta(days=FIRST_WINDOW_DAYS)
        loaded = self.plant.load(todo, self.start, stop)
        for workcenter_id in todo:
            load = self.loads[workcenter_id] = WorkcentreLoad(workcenter_id, self.start)
            working, busy = loaded.get(workcenter_id, ([], []))
            load.extend(working, busy, stop)

    def _extend(self, load):
        if load.loaded_until >= self.limit:
            return False
        load.window *= 2
        start, stop = load.loaded_until, min(load.loaded_until + load.window, self.limit)
        working, busy = self.plant.load([load.id], start, stop).get(load.id, ([], []))
        load.extend(working, busy, stop)
        return True

    def first_slot(self, workcenter_id, start, minutes):
        """The first [start, stop) on the work centre with ``minutes`` of working time and no
        booked time in it, as mrp.workcenter._get_first_available_slot searches it."""
        self.preload([workcenter_id])
        load = self.loads[workcenter_id]
        if minutes <= EPSILON:
            return Slot(workcenter_id, start, start, [])
        remaining = minutes
        slot_start = None
        segments = []
        booked_until = None
        index = bisect_right([interval[1] for interval in load.working], start)
        while True:
            while index >= len(load.working):
                if not self._extend(load):
                    return None
            work_start, work_stop = load.working[index]
            index += 1
            if work_start >= self.limit:
                return None
            cursor = max(work_start, start)
            if cursor >= work_stop:
                continue
            while True:
                if slot_start is None:
                    slot_start = cursor
                available = (work_stop - cursor).total_seconds() / 60.0
                stop = cursor + timedelta(minutes=min(remaining, available))
                conflict = load.conflict(slot_start, stop)
                if conflict is None:
                    break
                booked_until = conflict[1]
                cursor = min(max(conflict[1], work_start), work_stop)
                slot_start = cursor if cursor < work_stop else None
                segments = []
                remaining = minutes
                if slot_start is None:
                    break
            if slot_start is None:
                continue
            segments.append((cursor, stop))
            if available >= remaining - EPSILON:
                return Slot(workcenter_id, slot_start, stop, segments, booked_until)
            remaining -= available
