from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import feasible, promise
from ..tools.feasible_plant import FeasiblePlant
from ..tools.working_days import WorkingDays


class SaleOrder(models.Model):
    """The earliest feasible date (最早可交货日期): stock, components, work-centre load and
    shipping, planned in memory on demand."""

    _inherit = "sale.order"

    fulfilment_feasible_date = fields.Datetime(
        "Earliest Feasible Date",
        copy=False,
        readonly=True,
        help="The earliest date the order can be delivered, from free stock, the components, "
        "the load of the work centres and shipping, as last checked.",
    )
    fulfilment_feasible_explanation = fields.Text(
        "Feasible Date Explanation",
        copy=False,
        readonly=True,
        help="What sets the earliest feasible date, line by line.",
    )
    fulfilment_feasible_table = fields.Html("Feasible Date by Line", copy=False, readonly=True, sanitize=True)
    fulfilment_feasible_checked_on = fields.Datetime("Feasibility Checked On", copy=False, readonly=True)
    fulfilment_date_too_tight = fields.Boolean(
        "Date Too Tight",
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
                # As data: the company's calendar day, formatted in the language of who reads
                # the review reason (fulfilment.review.rule._render_reason).
                "feasible_date": date
                and fields.Date.to_string(
                    self._fulfilment_local_day(date, order.company_id._fulfilment_tz().zone)
                ),
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
