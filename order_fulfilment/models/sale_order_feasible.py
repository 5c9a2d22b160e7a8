from collections import defaultdict

import pytz
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_is_zero, format_date

from ..tools import feasible, promise
from ..tools.working_days import WorkingDays

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


class SaleOrder(models.Model):
    """The earliest feasible date (最早可交货日期): stock, components, work-centre load and
    shipping, planned in memory on demand."""

    _inherit = "sale.order"

    fulfilment_feasible_date = fields.Datetime(
        string="Earliest Feasible Date",
        copy=False,
        readonly=True,
        help="The earliest date the order can be delivered, from free stock, the components, "
        "the load of the work centres and shipping, as last checked.",
    )
    fulfilment_feasible_explanation = fields.Text(
        string="Feasible Date Explanation",
        copy=False,
        readonly=True,
        help="What sets the earliest feasible date, line by line.",
    )
    fulfilment_feasible_table = fields.Html(
        string="Feasible Date by Line",
        copy=False,
        readonly=True,
        sanitize=True,
    )
    fulfilment_feasible_checked_on = fields.Datetime(
        string="Feasibility Checked On",
        copy=False,
        readonly=True,
    )
    fulfilment_date_too_tight = fields.Boolean(
        string="Date Too Tight",
        compute="_compute_fulfilment_date_too_tight",
        help="The requested delivery date is earlier than the earliest feasible date (交期过紧).",
    )

    @api.depends("commitment_date", "fulfilment_feasible_date", "fulfilment_feasible_checked_on")
    def _compute_fulfilment_date_too_tight(self):
        for order in self:
            order.fulfilment_date_too_tight = bool(
                order.commitment_date
                and order.fulfilment_feasible_checked_on
                and (
                    not order.fulfilment_feasible_date
                    or order.commitment_date < order.fulfilment_feasible_date
                )
            )

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------
    def fulfilment_get_feasible(self, line_values=None):
        """The earliest feasible date of the quotation, or of the given lines.

        :param line_values: optional list of {"product_id": id, "product_uom_qty": qty} to
            plan instead of the saved lines (a web shop or CRM asking before any quotation
            exists; call it on an empty recordset then).
        :return: {"date": datetime or False, "explanation": text, "lines": [{"line_id" or
            "line_index", "product_id", "qty", "ready", "date", "reason"}], "delayed_orders": []}
        Nothing is written, reserved or planned.
        """
        if len(self) > 1:
            raise UserError(self.env._("Ask the feasible date of one quotation at a time."))
        self.check_access("read")
        lines = self._fulfilment_feasible_lines_from_values(line_values) if line_values is not None else None
        result = self._fulfilment_feasible_results(
            lines_by_order={self: lines} if lines is not None else None
        )[self.id if self else False]
        return {
            "date": result["date"] or False,
            "explanation": result["explanation"],
            "delayed_orders": result["delayed"],
            "lines": [
                {
                    **{
                        key: (value or False) if key in ("date", "ready") else value
                        for key, value in line.items()
                        if key not in ("cause", "product")
                    },
                    "product_id": line["product"].id,
                }
                for line in result["lines"]
            ],
        }

    def action_fulfilment_check_feasible(self):
        """Check the earliest feasible date and keep it on the quotations (nothing is planned)."""
        self.check_access("read")
        self._fulfilment_store_feasible()
        return True

    # ------------------------------------------------------------------
    # Hooks into the review and the confirmation
    # ------------------------------------------------------------------
    @api.model
    def _review_state_depends(self):
        # The "date too tight" criterion reads the requested date and the quantities.
        return [*super()._review_state_depends(), "commitment_date", "order_line.product_uom_qty"]

    def action_request_review(self):
        # Reviewers see the date and what sets it on the quotation.
        self.check_access("write")
        self.filtered(lambda o: o._review_is_open())._fulfilment_store_feasible()
        return super().action_request_review()

    def _action_confirm(self):
        # When the company commits to its promise, the feasible date is committed when later.
        to_commit = self.filtered(
            lambda o: o.company_id.fulfilment_commit_promise and not o.commitment_date and o.order_line
        )
        if to_commit:
            results = to_commit._fulfilment_store_feasible()
            for order in to_commit:
                dates = [order.fulfilment_promise_date, order.expected_date, results[order.id]["date"]]
                dates = [date for date in dates if date]
                if dates:
                    order.commitment_date = max(dates)
        return super()._action_confirm()

    def _fulfilment_tight_date_facts(self, order_facts):
        """{order id: facts with "tight_date" and "feasible_date"} for the review rules whose
        criterion is a requested date earlier than the feasible date (交期过紧): planned for
        all the orders with a requested date at once."""
        todo = self.filtered(lambda o: o.commitment_date and o.order_line)
        if not todo:
            return {}
        results = todo._fulfilment_feasible_results()
        updated = {}
        for order in todo:
            date = results[order.id]["date"]
            updated[order.id] = {
                **order_facts[order.id],
                "tight_date": not date or order.commitment_date < date,
                "feasible_date": date
                and self._fulfilment_format_date(date, order.company_id._fulfilment_tz().zone),
            }
        return updated

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------
    def _fulfilment_store_feasible(self):
        results = self._fulfilment_feasible_results()
        now = fields.Datetime.now()
        for order in self:
            result = results[order.id]
            order.sudo().write(
                {
                    "fulfilment_feasible_date": result["date"] or False,
                    "fulfilment_feasible_explanation": result["explanation"],
                    "fulfilment_feasible_table": result["table"],
                    "fulfilment_feasible_checked_on": now,
                }
            )
        return results

    @api.model
    def _fulfilment_feasible_lines_from_values(self, line_values):
        if not isinstance(line_values, list | tuple) or not all(isinstance(v, dict) for v in line_values):
            raise UserError(
                self.env._("Give the lines as a list of values with a product_id and a product_uom_qty.")
            )
        product_ids = []
        for index, values in enumerate(line_values, start=1):
            product_id, qty = values.get("product_id"), values.get("product_uom_qty", 1.0)
            if not isinstance(product_id, int) or isinstance(product_id, bool):
                raise UserError(self.env._("Line %(line)s: give the id of a product.", line=index))
            if not isinstance(qty, int | float) or isinstance(qty, bool) or qty <= 0:
                raise UserError(
                    self.env._("Line %(line)s: the quantity must be a positive number.", line=index)
                )
            product_ids.append(product_id)
        products = self.env["product.product"].browse(product_ids).exists()
        missing = sorted(set(product_ids) - set(products.ids))
        if missing:
            raise UserError(
                self.env._(
                    "No product with the id %(ids)s: check the products of the lines.",
                    ids=", ".join(map(str, missing)),
                )
            )
        return [
            {
                "line_index": index,
                "product": self.env["product.product"].browse(values["product_id"]),
                "qty": float(values.get("product_uom_qty", 1.0)),
            }
            for index, values in enumerate(line_values, start=1)
        ]

    def _fulfilment_feasible_lines(self):
        """The goods lines of the order, numbered as the quotation shows them, in the
        product's unit."""
        self.ensure_one()
        lines = []
        for index, line in enumerate(self.order_line.filtered(lambda l: not l.display_type), start=1):
            product = line.product_id
            if not product or product.type != "consu":
                continue
            lines.append(
                {
                    "line_id": line._origin.id or False,
                    "line_index": index,
                    "product": product,
                    "qty": line.product_uom._compute_quantity(line.product_uom_qty, product.uom_id)
                    if line.product_uom
                    else line.product_uom_qty,
                }
            )
        return lines

    def _fulfilment_feasible_results(self, lines_by_order=None):
        """{order id (False for none): result} for the orders, each planned on its own against
        the plant as it is (one read of the plant per company, warehouse and rush flag)."""
        lines_by_order = lines_by_order or {}
        start = fields.Datetime.now().replace(microsecond=0)
        sudo_env = self.sudo().env
        groups = defaultdict(list)
        for order in self or [self]:
            company = order.company_id or self.env.company
            warehouse = order.warehouse_id if order else False
            if not warehouse:
                warehouse = (
                    self.env["stock.warehouse"].sudo().search([("company_id", "=", company.id)], limit=1)
                )
            lines = lines_by_order.get(order)
            if lines is None:
                lines = order._fulfilment_feasible_lines() if order else []
            groups[company.id, warehouse.id, bool(order.is_rush)].append((order, lines))
        results = {}
        for (company_id, warehouse_id, rush), todo in groups.items():
            company = sudo_env["res.company"].browse(company_id)
            plant = FeasiblePlant(
                company.with_company(company).env,
                company,
                sudo_env["stock.warehouse"].browse(warehouse_id),
                rush,
            )
            products = sudo_env["product.product"].union(
                *(line["product"] for __, lines in todo for line in lines)
            )
            plant.prepare(products)
            # One time zone rule for the promise, the SLA and this date (res.company._fulfilment_tz).
            tz = company._fulfilment_tz().zone
            planner = feasible.Planner(plant, start, tz)
            planner.preload(list(plant.workcenters))
            ship = self._fulfilment_shipper(company, tz, rush)
            for order, lines in todo:
                mark = planner.mark()
                planned = []
                for line in lines:
                    ready = planner.need(line["product"].id, line["qty"])
                    planned.append(
                        {**line, "ready": ready.date, "date": ship(ready.date), "cause": ready.cause}
                    )
                delayed = plant.delayed_orders(planner.bookings) if rush else []
                planner.rollback(mark)
                results[order.id if order else False] = self._fulfilment_feasible_result(
                    planned, plant, tz, ship(start), delayed
                )
        return results

    @api.model
    def _fulfilment_shipper(self, company, tz, rush):
        """ready datetime -> ship datetime: the delivery lead days, the cut-off and the working
        calendar of the company, as the delivery promise counts them."""
        days = WorkingDays(company)
        lead_days = company.fulfilment_rush_lead_days if rush else company.fulfilment_standard_lead_days

        def ship(ready):
            if not ready:
                return None
            try:
                return promise.promise_datetime(ready, tz, company.fulfilment_cutoff_hour, lead_days, days)
            except ValueError:
                return None

        return ship

    # ------------------------------------------------------------------
    # Explanation
    # ------------------------------------------------------------------
    def _fulfilment_feasible_result(self, planned, plant, tz, earliest, delayed):
        if any(line["date"] is None for line in planned):
            date = None
            setter = next(line for line in planned if line["date"] is None)
        elif planned:
            setter = max(planned, key=lambda line: line["date"])
            date = setter["date"]
        else:
            setter, date = None, earliest
        for line in planned:
            line["reason"] = self._fulfilment_line_sentence(line, plant, tz)
        explanation = []
        if setter and date:
            explanation.append(
                self.env._(
                    "Earliest feasible date %(date)s, set by line %(line)s.",
                    date=self._fulfilment_format_date(date, tz),
                    line=setter["line_index"],
                )
            )
        elif setter:
            explanation.append(
                self.env._(
                    "No feasible date can be given: line %(line)s cannot be supplied.",
                    line=setter["line_index"],
                )
            )
        else:
            explanation.append(
                self.env._(
                    "Nothing to make or deliver: ships %(date)s.",
                    date=self._fulfilment_format_date(date, tz),
                )
            )
        explanation += [line["reason"] for line in planned]
        if delayed:
            explanation.append(
                self.env._(
                    "Rush order: planned ahead of the work of %(orders)s, which it would delay.",
                    orders=", ".join(delayed),
                )
            )
        return {
            "date": date,
            "lines": planned,
            "delayed": delayed,
            "explanation": "\n".join(explanation),
            "table": self._fulfilment_feasible_html(planned, plant, tz),
        }

    def _fulfilment_format_date(self, date, tz):
        if not date:
            return self.env._("unknown")
        local = pytz.utc.localize(date).astimezone(pytz.timezone(tz)).date()
        # One explanation formats the same few days many times: format each once.
        cache = self.env.cr.cache.setdefault("fulfilment_feasible_dates", {})
        key = (local, self.env.lang)
        if key not in cache:
            cache[key] = format_date(self.env, local)
        return cache[key]

    @api.model
    def _fulfilment_qty(self, qty):
        return f"{qty:g}" if not float_is_zero(qty - round(qty), precision_digits=6) else str(round(qty))

    def _fulfilment_product_name(self, plant, product_id):
        # Read as the plant (work centres are not every reader's), in the reader's language.
        return plant.products[product_id].display_name

    def _fulfilment_workcenter_name(self, plant, workcenter_id):
        return plant.workcenters[workcenter_id].display_name

    def _fulfilment_cause_phrases(self, cause, plant, tz, top=False):
        """Phrases from the root cause up to this quantity, in the reader's language."""
        if not cause:
            return []
        _ = self.env._
        kind = cause["kind"]
        fmt = self._fulfilment_format_date
        name = self._fulfilment_product_name(plant, cause["product_id"]) if "product_id" in cause else ""
        missing = self._fulfilment_qty(cause.get("missing", cause.get("qty", 0.0)))
        phrases = []
        if top and cause.get("from_stock"):
            phrases.append(_("%(qty)s from stock", qty=self._fulfilment_qty(cause["from_stock"])))
        if kind == "stock":
            if top:
                phrases.append(_("in stock"))
        elif kind == "receipt":
            phrases.append(
                _(
                    "%(qty)s × %(product)s arrive with a receipt on %(date)s",
                    qty=missing,
                    product=name,
                    date=fmt(cause["date"], tz),
                )
            )
        elif kind == "vendor":
            phrases.append(
                _(
                    "%(qty)s × %(product)s come from the vendor in %(days)s days (%(date)s)",
                    qty=missing,
                    product=name,
                    days=cause["days"],
                    date=fmt(cause["date"], tz),
                )
            )
        elif kind == "shortage":
            phrases.append(
                _(
                    "%(qty)s × %(product)s short: no stock, receipt, bill of materials or vendor",
                    qty=missing,
                    product=name,
                )
            )
        elif kind == "no_slot":
            phrases.append(
                _(
                    "no free time for %(operation)s on %(workcenter)s within 700 days",
                    operation=cause["operation"],
                    workcenter=self._fulfilment_workcenter_name(plant, cause["workcenter_id"])
                    if cause["workcenter_id"]
                    else "",
                )
            )
        elif kind == "workcenter":
            phrases.append(
                _(
                    "%(workcenter)s is booked until %(date)s",
                    workcenter=self._fulfilment_workcenter_name(plant, cause["workcenter_id"]),
                    date=fmt(cause["booked_until"], tz),
                )
            )
        elif kind == "kit":
            phrases += self._fulfilment_cause_phrases(cause.get("driver"), plant, tz)
        elif kind == "make":
            phrases += self._fulfilment_make_phrases(cause, plant, tz, top, name, missing)
        return phrases

    def _fulfilment_make_phrases(self, cause, plant, tz, top, name, missing):
        _ = self.env._
        phrases = self._fulfilment_cause_phrases(cause.get("driver"), plant, tz)
        steps = cause.get("steps") or []
        work = ""
        if steps:
            work = _(
                "%(days)s working days of %(operations)s",
                days=cause.get("days", 0),
                operations=", ".join(dict.fromkeys(step["operation"] for step in steps)),
            )
        elif cause.get("produce_delay"):
            work = _("%(days)s days of manufacturing lead time", days=cause["produce_delay"])
        if top and work:
            phrases.append(work)
        elif top and not phrases:
            phrases.append(_("made from the components at hand"))
        elif steps and not top:
            phrases.append(
                _(
                    "%(qty)s × %(product)s made by %(date)s (%(work)s)",
                    qty=missing,
                    product=name,
                    date=self._fulfilment_format_date(max(step["stop"] for step in steps), tz),
                    work=work,
                )
            )
        return phrases

    def _fulfilment_line_sentence(self, line, plant, tz):
        phrases = self._fulfilment_cause_phrases(line["cause"], plant, tz, top=True)
        if line["date"]:
            phrases.append(self.env._("ships %(date)s", date=self._fulfilment_format_date(line["date"], tz)))
        else:
            phrases.append(self.env._("no date can be given"))
        return self.env._(
            "Line %(line)s, %(qty)s × %(product)s: %(reasons)s",
            line=line["line_index"],
            qty=self._fulfilment_qty(line["qty"]),
            product=self._fulfilment_product_name(plant, line["product"].id),
            reasons="; ".join(phrases),
        )

    def _fulfilment_root_cause(self, cause):
        while cause and cause["kind"] in ("make", "kit") and cause.get("driver"):
            cause = cause["driver"]
        return cause

    def _fulfilment_feasible_html(self, planned, plant, tz):
        _ = self.env._
        labels = {
            "stock": _("Stock"),
            "receipt": _("Incoming receipt"),
            "vendor": _("Vendor lead time"),
            "shortage": _("Stock shortage"),
            "no_slot": _("No capacity"),
            "workcenter": _("Work centre load"),
            "make": _("Manufacturing time"),
            "kit": _("Stock"),
        }
        headers = [_("Line"), _("Product"), _("Quantity"), _("Ready"), _("Ships"), _("Set by"), _("Detail")]
        rows = []
        for line in planned:
            root = self._fulfilment_root_cause(line["cause"])
            detail = ""
            if root["kind"] == "workcenter":
                detail = _(
                    "%(workcenter)s booked until %(date)s",
                    workcenter=self._fulfilment_workcenter_name(plant, root["workcenter_id"]),
                    date=self._fulfilment_format_date(root["booked_until"], tz),
                )
            elif root["kind"] in ("receipt", "vendor", "shortage"):
                detail = _(
                    "%(qty)s × %(product)s",
                    qty=self._fulfilment_qty(root.get("missing", 0.0)),
                    product=self._fulfilment_product_name(plant, root["product_id"]),
                )
            elif root["kind"] == "make":
                detail = ", ".join(
                    dict.fromkeys(
                        self._fulfilment_workcenter_name(plant, step["workcenter_id"])
                        for step in root.get("steps") or []
                    )
                )
            cells = [
                line["line_index"],
                self._fulfilment_product_name(plant, line["product"].id),
                self._fulfilment_qty(line["qty"]),
                self._fulfilment_format_date(line["ready"], tz),
                self._fulfilment_format_date(line["date"], tz),
                labels.get(root["kind"], ""),
                detail,
            ]
            rows.append(
                Markup("<tr>%s</tr>") % Markup("").join(Markup("<td>%s</td>") % escape(c) for c in cells)
            )
        head = Markup("").join(Markup("<th>%s</th>") % h for h in headers)
        return Markup(
            '<table class="table table-sm o_fulfilment_feasible">'
            "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        ) % (head, Markup("").join(rows))
