"""The plant as the capable-to-promise planner (``tools/feasible.py``) sees it, read from the
database with set-based queries: products and bills of materials level by level, free stock and
incoming receipts, the working time and planned work of the work centres."""

from collections import defaultdict

import pytz

from odoo.tools import SQL

from . import feasible

MOVE_OPEN_STATES = ("waiting", "confirmed", "assigned", "partially_available")


class FeasiblePlant:
    """The plant as the planner of tools/feasible.py sees it, read from the database with
    set-based queries: BoMs level by level, stock for every product at once, and the load of
    the work centres one window of time at a time for all of them."""

    def __init__(self, env, company, warehouse, rush):
        self.env = env
        self.company = company
        self.warehouse = warehouse
        self.rush = rush
        self.items = {}
        self.products = {}
        self.stocks = {}
        self.operations = {}
        self.workcenters = {}
        self.durations = {}

    # ------------------------------------------------------------------
    # Products and bills of materials
    # ------------------------------------------------------------------
    def prepare(self, products):
        """Read the supply of the products and of all their components, one BoM level at a
        time, and their stock."""
        env = self.env
        Bom = env["mrp.bom"]
        level = products.filtered(lambda p: p.id not in self.items)
        storable = env["product.product"]
        while level:
            self._prefetch_products(level)
            boms = Bom._bom_find(level, picking_type=self.warehouse.manu_type_id, company_id=self.company.id)
            self._prefetch_boms(Bom.union(*boms.values()))
            next_level = env["product.product"]
            for product in level:
                self.products[product.id] = product
                item, components = self._item(product, boms.get(product))
                self.items[product.id] = item
                next_level |= components
                if item.kind in ("make", "buy", "none"):
                    storable |= product
            level = next_level.filtered(lambda p: p.id not in self.items)
        self._read_stock(storable.filtered(lambda p: p.id not in self.stocks))

    @staticmethod
    def _prefetch_products(products):
        """Read what the planning uses of a level of products, for all of them at once."""
        products.mapped("uom_id")
        products.mapped("display_name")
        products.seller_ids.mapped("delay")

    @staticmethod
    def _prefetch_boms(boms):
        """Read what the planning uses of a level of BoMs (lines, operations, work centres)."""
        boms.mapped("product_uom_id")
        lines = boms.bom_line_ids
        lines.mapped("product_qty")
        lines.product_id.mapped("uom_id")
        operations = boms.with_context(active_test=False).operation_ids
        operations.mapped("sequence")
        operations.mapped("time_cycle")
        operations.blocked_by_operation_ids.mapped("sequence")
        workcenters = operations.workcenter_id | operations.workcenter_id.alternative_workcenter_ids
        workcenters.mapped("time_efficiency")
        workcenters.capacity_ids.mapped("capacity")
        workcenters.mapped("display_name")
        workcenters.resource_id.mapped("calendar_id")

    def _item(self, product, bom):
        components = self.env["product.product"]
        if bom:
            bom_qty = bom.product_uom_id._compute_quantity(bom.product_qty, product.uom_id) or 1.0
            lines = []
            for line in bom.bom_line_ids:
                if line._skip_bom_line(product):
                    continue
                qty = line.product_uom_id._compute_quantity(line.product_qty, line.product_id.uom_id)
                lines.append((line.product_id.id, qty))
                components |= line.product_id
            if bom.type == "phantom":
                return feasible.Item(product.id, product.display_name, "kit", bom_qty, lines), components
            operations = self._operations(bom, product)
            return (
                feasible.Item(
                    product.id,
                    product.display_name,
                    "make",
                    bom_qty,
                    lines,
                    operations,
                    produce_delay=bom.produce_delay,
                ),
                components,
            )
        if product.type != "consu" or not product.is_storable:
            return feasible.Item(product.id, product.display_name, "free"), components
        sellers = product.seller_ids.filtered(
            lambda s: (
                (not s.company_id or s.company_id == self.company)
                and (not s.product_id or s.product_id == product)
            )
        )
        if sellers:
            return (
                feasible.Item(product.id, product.display_name, "buy", vendor_delay=sellers[0].delay),
                components,
            )
        return feasible.Item(product.id, product.display_name, "none"), components

    def _operations(self, bom, product):
        operations = bom.operation_ids.filtered(lambda o: not o._skip_operation_line(product)).sorted(
            lambda o: (o.sequence, o.id)
        )
        result = []
        previous = None
        ids = set(operations.ids)
        for operation in operations:
            self.operations[operation.id] = (operation, bom)
            workcenters = operation.workcenter_id | operation.workcenter_id.alternative_workcenter_ids
            for workcenter in workcenters:
                self.workcenters[workcenter.id] = workcenter
            if bom.allow_operation_dependencies:
                blocked_by = [op.id for op in operation.blocked_by_operation_ids if op.id in ids]
            else:
                blocked_by = [previous.id] if previous else []
            result.append(feasible.Operation(operation.id, operation.name, workcenters.ids, blocked_by))
            previous = operation
        # Blockers first, keeping the sequence otherwise.
        ordered, done = [], set()
        while len(ordered) < len(result):
            ready = [op for op in result if op.id not in done and all(b in done for b in op.blocked_by)]
            if not ready:  # a cycle: Odoo refuses those, plan in sequence
                ready = [op for op in result if op.id not in done]
            ordered.append(ready[0])
            done.add(ready[0].id)
        return ordered

    def _read_stock(self, products):
        if not products:
            return
        env = self.env
        domain_quant, domain_in, domain_out = products.with_context(
            warehouse_id=self.warehouse.id
        )._get_domain_locations()
        product_domain = [("product_id", "in", products.ids)]
        on_hand = dict(
            env["stock.quant"]._read_group(product_domain + domain_quant, ["product_id"], ["quantity:sum"])
        )
        moves = [("state", "in", MOVE_OPEN_STATES)] + product_domain
        demand = dict(env["stock.move"]._read_group(moves + domain_out, ["product_id"], ["product_qty:sum"]))
        receipts = defaultdict(list)
        for move in env["stock.move"].search_fetch(moves + domain_in, ["product_id", "date", "product_qty"]):
            receipts[move.product_id.id].append((move.date, move.product_qty))
        for product in products:
            free = (on_hand.get(product) or 0.0) - (demand.get(product) or 0.0)
            self.stocks[product.id] = (free, receipts.get(product.id, []))

    # ------------------------------------------------------------------
    # The planner's interface
    # ------------------------------------------------------------------
    def item(self, product_id):
        return self.items[product_id]

    def stock(self, product_id):
        free, receipts = self.stocks.get(product_id, (0.0, []))
        return feasible.Stock(free, receipts)

    def duration(self, operation, workcenter_id, product_id, qty):
        key = (operation.id, workcenter_id, qty)
        if key not in self.durations:
            record, bom = self.operations[operation.id]
            product = self.products[product_id]
            bom_qty = product.uom_id._compute_quantity(qty, bom.product_uom_id)
            self.durations[key] = record._get_duration_expected(
                product, bom_qty, product.uom_id, self.workcenters[workcenter_id]
            )
        return self.durations[key]

    def load(self, workcenter_ids, start, stop):
        """{work centre id: (working intervals, booked intervals)} in [start, stop): the
        working time of each calendar at once, and the planned work orders (their
        resource leaves) merged into blocks by one query. A rush order only waits for the
        work of other rush orders (and for time booked outside manufacturing orders)."""
        workcenters = self.env["mrp.workcenter"].browse(workcenter_ids)
        result = {wc.id: ([], []) for wc in workcenters}
        utc_start, utc_stop = pytz.utc.localize(start), pytz.utc.localize(stop)
        for calendar, group in workcenters.grouped("resource_calendar_id").items():
            if not calendar:
                continue
            tz = pytz.timezone(calendar.tz or "UTC")
            intervals = calendar._work_intervals_batch(
                utc_start, utc_stop, resources=group.resource_id, tz=tz
            )
            for workcenter in group:
                result[workcenter.id][0].extend(
                    (
                        begin.astimezone(pytz.utc).replace(tzinfo=None),
                        end.astimezone(pytz.utc).replace(tzinfo=None),
                    )
                    for begin, end, _records in intervals[workcenter.resource_id.id]
                )
        by_resource = {wc.resource_id.id: wc.id for wc in workcenters}
        for resource_id, begin, end in self._busy_blocks(tuple(by_resource), start, stop):
            result[by_resource[resource_id]][1].append((begin, end))
        return result

    def _flush(self):
        self.env["resource.calendar.leaves"].flush_model(["resource_id", "time_type", "date_from", "date_to"])
        self.env["mrp.workorder"].flush_model(["leave_id", "production_id"])
        self.env["mrp.production"].flush_model(
            ["priority", "fulfilment_is_rush", "name", "fulfilment_sale_id"]
        )

    def _busy_blocks(self, resource_ids, start, stop):
        self._flush()
        normal_only = SQL(
            """AND NOT EXISTS (
                   SELECT 1 FROM mrp_workorder wo
                     JOIN mrp_production mo ON mo.id = wo.production_id
                    WHERE wo.leave_id = leave.id
                      AND COALESCE(mo.priority, '0') != '1'
                      AND NOT COALESCE(mo.fulfilment_is_rush, FALSE))"""
        )
        self.env.cr.execute(
            SQL(
                """
                WITH booked AS (
                    SELECT leave.resource_id, leave.date_from AS begin_at, leave.date_to AS end_at
                      FROM resource_calendar_leaves leave
                     WHERE leave.resource_id IN %(resources)s
                       AND leave.time_type = 'other'
                       AND leave.date_to > %(start)s
                       AND leave.date_from < %(stop)s
                       %(rush)s
                ), flagged AS (
                    SELECT resource_id, begin_at, end_at,
                           CASE WHEN begin_at <= MAX(end_at) OVER (
                                    PARTITION BY resource_id ORDER BY begin_at, end_at
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                                THEN 0 ELSE 1 END AS new_block
                      FROM booked
                ), numbered AS (
                    SELECT resource_id, begin_at, end_at,
                           SUM(new_block) OVER (PARTITION BY resource_id ORDER BY begin_at, end_at) AS block
                      FROM flagged
                )
                SELECT resource_id, MIN(begin_at), MAX(end_at)
                  FROM numbered
              GROUP BY resource_id, block
              ORDER BY resource_id, MIN(begin_at)
                """,
                resources=resource_ids,
                start=start,
                stop=stop,
                rush=normal_only if self.rush else SQL(),
            )
        )
        return self.env.cr.fetchall()

    def delayed_orders(self, bookings):
        """Names of the normal orders (or manufacturing orders) whose planned work the bookings
        of a rush order overlap: the work the rush order would push back. One query."""
        if not bookings:
            return []
        self._flush()
        values = SQL(", ").join(
            SQL(
                "(%s, %s::timestamp, %s::timestamp)",
                self.workcenters[slot.workcenter_id].resource_id.id,
                slot.start,
                slot.stop,
            )
            for slot in bookings
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT COALESCE(so.name, mo.name)
                  FROM (VALUES %s) AS slot(resource_id, begin_at, end_at)
                  JOIN resource_calendar_leaves leave
                    ON leave.resource_id = slot.resource_id
                   AND leave.time_type = 'other'
                   AND leave.date_from < slot.end_at
                   AND leave.date_to > slot.begin_at
                  JOIN mrp_workorder wo ON wo.leave_id = leave.id
                  JOIN mrp_production mo ON mo.id = wo.production_id
             LEFT JOIN sale_order so ON so.id = mo.fulfilment_sale_id
                 WHERE COALESCE(mo.priority, '0') != '1'
                   AND NOT COALESCE(mo.fulfilment_is_rush, FALSE)
              ORDER BY 1
                """,
                values,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
