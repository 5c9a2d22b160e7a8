import threading
from collections import Counter
from datetime import timedelta

import pytz
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, format_datetime

from ..tools import promise
from ..tools.working_days import WorkingDays

# Changes of these make the reviews of a quotation obsolete.
REVIEWED_ORDER_FIELDS = ("partner_id", "commitment_date", "is_rush", "order_line")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "fulfilment.review.mixin"]
    _review_applies_to = "sale_order"

    # ------------------------------------------------------------------
    # Reviews
    # ------------------------------------------------------------------
    fulfilment_review_all_ids = fields.One2many(
        "fulfilment.review",
        "order_id",
        string="All Reviews",
        help="The reviews of the order and of its change requests.",
    )

    def _review_order(self):
        return self

    def _review_is_open(self):
        return self.state in ("draft", "sent")

    @api.model
    def _review_state_depends(self):
        return [
            "company_id",
            "state",
            "partner_id",
            "is_rush",
            "amount_total",
            "order_line.product_id",
            "order_line.price_reduce_taxexcl",
        ]

    @api.model
    def _review_refresh_open_quotations(self):
        """After rules change: quotations not under review show whether they need one."""
        quotations = self.sudo().search(
            [("state", "in", ("draft", "sent")), ("review_state", "in", ("none", "draft"))]
        )
        quotations._review_recompute_state()

    def action_request_review(self):
        self.check_access("write")
        not_open = self.filtered(lambda o: not o._review_is_open())
        if not_open:
            raise UserError(
                self.env._(
                    "%(orders)s: only quotations can be sent for review.",
                    orders=", ".join(not_open.mapped("display_name")),
                )
            )
        under_review = self.filtered(lambda o: o.review_state in ("pending", "approved"))
        if under_review:
            raise UserError(
                self.env._(
                    "%(orders)s: the review was already requested. Change the quotation to request it again.",
                    orders=", ".join(under_review.mapped("display_name")),
                )
            )
        requested = self._review_request()
        not_needed = self - requested
        if not_needed and not requested:
            raise UserError(
                self.env._(
                    "%(orders)s: no review rule applies; the quotation can be confirmed directly.",
                    orders=", ".join(not_needed.mapped("display_name")),
                )
            )
        return True

    def action_review_approve(self):
        """Approve the current user's pending reviews of these orders."""
        reviews = self._review_decidable()
        reviews.action_approve()
        return True

    def action_review_reject(self):
        """Open the rejection dialog for the current user's pending reviews of the order."""
        reviews = self._review_decidable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Review"),
            "res_model": "fulfilment.review.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_ids": reviews.ids},
        }

    def _review_decidable(self):
        reviews = self.env["fulfilment.review"]
        for order in self:
            reviews |= order._review_current().filtered("can_decide")
        if not reviews:
            raise UserError(
                self.env._(
                    "%(orders)s: you have no review to decide. Reviews are decided by members of their "
                    "department, other than the salesperson and the requester.",
                    orders=", ".join(self.mapped("display_name")),
                )
            )
        return reviews

    def action_view_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_review_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"search_default_group_round": 0}
        return action

    def _review_on_approved(self):
        for order in self.filtered("user_id"):
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=order.user_id.id,
                summary=self.env._("Reviews approved: confirm the order"),
            )

    def _review_on_rejected(self):
        for order in self.filtered("user_id"):
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=order.user_id.id,
                summary=self.env._("Review rejected: change the quotation and request the review again"),
                note=order.review_rejection,
            )

    def _review_snapshot(self):
        """What the reviewers signed: a change of any of it cancels their sign-off."""
        return {
            order.id: (
                order.partner_id.id,
                order.commitment_date,
                order.is_rush,
                tuple(
                    sorted(
                        (line.id, line.product_id.id, line.product_uom_qty, line.price_unit, line.discount)
                        for line in order.order_line
                        if not line.display_type
                    )
                ),
            )
            for order in self
        }

    def _review_under_review(self):
        return self.filtered(lambda o: o._review_is_open() and o.review_state in ("pending", "approved"))

    def _review_invalidate_changed(self, before):
        changed = self.filtered(lambda o: o.id in before)
        after = changed._review_snapshot()
        changed = changed.filtered(lambda o: before[o.id] != after[o.id])
        if changed:
            changed._review_invalidate(self.env._("the quotation changed after the review was requested"))

    def _review_check_not_quotations(self):
        """Orders put in the sale state without being quotations (cancelled orders written back,
        orders created confirmed) are refused when a review rule would apply to them."""
        closed = self.filtered(lambda o: not o._review_is_open())
        if not closed:
            return
        rules = self.env["fulfilment.review.rule"]._rules_for(closed, self._review_applies_to)
        blocked = closed.filtered(lambda o: o in rules)
        if blocked:
            raise UserError(
                self.env._(
                    "%(orders)s needs a review by %(departments)s before it can be confirmed. Confirm it "
                    "from a quotation: set it back to quotation, request the review, then confirm it.",
                    orders=", ".join(blocked.mapped("display_name")),
                    departments=", ".join(
                        dict.fromkeys(
                            self.env["fulfilment.review.rule"].union(*rules.values()).mapped("department")
                        )
                    ),
                )
            )

    def write(self, vals):
        if "review_state" in vals or ("review_round" in vals and not self.env.su):
            raise UserError(self.env._("The review status follows the reviews; it cannot be written."))
        if vals.get("state") == "sale":
            to_confirm = self.filtered(lambda o: o.state != "sale")
            to_confirm._review_check_not_quotations()
            to_confirm._review_check_gate()
        rush_toggled = self.browse()
        if "is_rush" in vals:
            self._check_rush_permission([vals])
            rush_toggled = self.filtered(lambda o: o.is_rush != bool(vals["is_rush"]))
        watched = self._review_under_review() if set(vals) & set(REVIEWED_ORDER_FIELDS) else self.browse()
        before = watched._review_snapshot()
        result = super().write(vals)
        if watched:
            watched._review_invalidate_changed(before)
        if rush_toggled:
            rush_toggled.filtered(lambda o: o.state == "sale")._fulfilment_sync_rush()
        return result

    def _validate_order(self):
        """Online signature: the order is signed, but confirmed only once its reviews allow it."""
        blocked = self.filtered(lambda o: o._review_blocking_message())
        for order in blocked:
            order.message_post(
                body=self.env._(
                    "Signed online by the customer. The order is confirmed once its reviews are approved."
                ),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
            if order.user_id:
                order.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=order.user_id.id,
                    summary=self.env._("Signed online: complete the reviews, then confirm"),
                )
        return super(SaleOrder, self - blocked)._validate_order()

    # ------------------------------------------------------------------
    # Rush orders and the delivery promise
    # ------------------------------------------------------------------
    is_rush = fields.Boolean(
        string="Rush Order",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Scheduled before other orders in manufacturing and shipping.",
    )
    rush_reason = fields.Char(copy=False, tracking=True)
    # Indexed: the at-risk search and the follow-up cron filter on it.
    commitment_date = fields.Datetime(index=True)
    fulfilment_promise_date = fields.Datetime(
        string="Promised Date",
        compute="_compute_fulfilment_promise_date",
        help="Delivery promise from the order time (or the customer's signature), the "
        "cut-off hour and the rush or standard lead days, in working days of the company.",
    )
    fulfilment_at_risk = fields.Boolean(
        string="At Risk",
        compute="_compute_fulfilment_at_risk",
        search="_search_fulfilment_at_risk",
        help="An open manufacturing order or delivery is planned after the commitment date, "
        "or the commitment date is within the expedite window and the order is not delivered.",
    )
    fulfilment_delivered_percent = fields.Float(
        string="Delivered (%)",
        compute="_compute_fulfilment_delivered_percent",
        digits=(16, 1),
    )
    fulfilment_production_ids = fields.One2many(
        "mrp.production",
        "fulfilment_sale_id",
        string="Order Manufacturing Orders",
        help="Manufacturing orders made for this order, sub-assemblies included.",
    )
    fulfilment_production_summary = fields.Char(
        string="Manufacturing Status",
        compute="_compute_fulfilment_production_summary",
    )
    fulfilment_followup_date = fields.Date(
        string="Last Follow-up",
        copy=False,
        readonly=True,
        help="Day of the last expedite follow-up of this order.",
    )

    @api.constrains("is_rush", "rush_reason")
    def _check_rush_reason(self):
        for order in self:
            if order.is_rush and not (order.rush_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Order %(name)s is marked as a rush order: give the rush reason.",
                        name=order.display_name,
                    )
                )

    def _check_rush_permission(self, vals_list):
        """Only salespeople and above may set or clear the rush flag."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_salesman"):
            return
        for vals in vals_list:
            if "is_rush" not in vals:
                continue
            changed = self.filtered(lambda o, flag=bool(vals["is_rush"]): o.is_rush != flag)
            if changed or (not self and vals["is_rush"]):
                raise AccessError(
                    self.env._(
                        "Only salespeople may mark or unmark rush orders (%(orders)s). "
                        "Ask a salesperson to change the flag.",
                        orders=", ".join(changed.mapped("display_name")) or self.env._("new order"),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._check_rush_permission(vals_list)
        # Reviews: the review status follows the reviews, and no order is born confirmed past them.
        if not self.env.su:
            if any("review_state" in vals or "review_round" in vals for vals in vals_list):
                raise UserError(self.env._("The review status follows the reviews; it cannot be written."))
            context = {
                key: value
                for key, value in self.env.context.items()
                if key not in ("default_review_state", "default_review_round")
            }
            self = self.with_context(context)  # noqa: PLW0642  # pylint: disable=context-overridden
        orders = super().create(vals_list)
        orders.filtered(lambda o: o.state == "sale")._review_check_not_quotations()
        return orders

    def _action_confirm(self):
        # The promise fills an empty commitment date before the deliveries are planned from it,
        # when the company commits to it. Never earlier than Odoo's own expected date (customer
        # lead times of the products).
        for order in self.filtered(
            lambda o: (
                o.company_id.fulfilment_commit_promise and not o.commitment_date and o.fulfilment_promise_date
            )
        ):
            dates = [order.fulfilment_promise_date, order.expected_date]
            order.commitment_date = max(date for date in dates if date)
        return super()._action_confirm()

    def _fulfilment_collect_productions(self):
        """Manufacturing orders made for the orders, down through every BoM level."""
        found = self.env["mrp.production"]
        for productions in self._fulfilment_productions_by_order().values():
            found |= productions
        return found.with_env(self.env)

    def _fulfilment_productions_by_order(self):
        """{order: its manufacturing orders, every BoM level}, one level at a time for all
        the orders together, so that the reads are batched."""
        orders = self.sudo()
        result = {order: order.mrp_production_ids for order in orders}
        frontier = dict(result)
        while frontier:
            # Read the moves of every production of this level at once.
            level = self.env["mrp.production"].sudo().union(*frontier.values())
            level.procurement_group_id.stock_move_ids.move_orig_ids.mapped("production_id")
            next_frontier = {}
            for order, todo in frontier.items():
                moves = todo.procurement_group_id.stock_move_ids
                created = (moves | moves.move_orig_ids).created_production_id
                children = (
                    moves.created_production_id
                    | moves.move_orig_ids.production_id
                    | moves.move_orig_ids.created_production_id
                    | created.procurement_group_id.mrp_production_ids
                ) - result[order]
                if children:
                    result[order] |= children
                    next_frontier[order] = children
            frontier = next_frontier
        return result

    def _fulfilment_link_productions(self):
        """Record on each manufacturing order the sale order it was made for: one write per order
        at most, and none when nothing changed."""
        for order, productions in self._fulfilment_productions_by_order().items():
            unlinked = productions.filtered(lambda p, o=order: p.fulfilment_sale_id.id != o.id)
            if unlinked:
                unlinked.write({"fulfilment_sale_id": order.id})

    def _fulfilment_sync_rush(self):
        """Give the open pickings and MOs of the orders the priority of their rush flag.

        One write per model and target value, never a write per record. Done and
        cancelled records keep what they had.
        """
        # Salespeople may not write manufacturing orders; the flag change itself was checked.
        orders = self.sudo()
        for flag in (True, False):
            group = orders.filtered(lambda o, f=flag: o.is_rush == f)
            if not group:
                continue
            priority = "1" if flag else "0"
            productions = group.fulfilment_production_ids | group._fulfilment_collect_productions()
            pickings = (group.picking_ids | productions.picking_ids).filtered(
                lambda p: p.picking_type_code in ("outgoing", "internal")
            )
            for records in (productions, pickings):
                todo = records.filtered(
                    lambda r, f=flag, p=priority: (
                        r.state not in ("done", "cancel") and (r.priority != p or r.fulfilment_is_rush != f)
                    )
                )
                if todo:
                    todo.write({"priority": priority, "fulfilment_is_rush": flag})

    def _fulfilment_company_tz(self):
        self.ensure_one()
        company = self.company_id
        return company.partner_id.tz or company.resource_calendar_id.tz or "UTC"

    def _fulfilment_promise_base(self):
        """The moment the promise counts from: the signature when one is required and given."""
        self.ensure_one()
        if self.require_signature and self.signed_on:
            return max(self.signed_on, self.date_order or self.signed_on)
        return self.date_order

    @api.depends("date_order", "is_rush", "require_signature", "signed_on", "company_id")
    def _compute_fulfilment_promise_date(self):
        calendars = {}
        for order in self:
            base = order._fulfilment_promise_base()
            company = order.company_id
            if not base or not company:
                order.fulfilment_promise_date = False
                continue
            tz = order._fulfilment_company_tz()
            key = (company.resource_calendar_id.id, tz)
            if key not in calendars:
                calendars[key] = WorkingDays(company.resource_calendar_id, tz)
            lead_days = (
                company.fulfilment_rush_lead_days if order.is_rush else company.fulfilment_standard_lead_days
            )
            try:
                order.fulfilment_promise_date = promise.promise_datetime(
                    base, tz, company.fulfilment_cutoff_hour, lead_days, calendars[key]
                )
            except ValueError:
                order.fulfilment_promise_date = False

    def _fulfilment_at_risk_sql(self, order_ids=None):
        """SELECT of the ids of the orders at risk (one statement, for search and compute).

        Set-based (a union of two joins from the open deliveries and manufacturing orders):
        a correlated EXISTS per order costs little to run, but its estimate over a large table
        makes PostgreSQL compile the query (JIT) for seconds.
        """
        now = fields.Datetime.now()
        restrict = SQL("AND so.id IN %s", tuple(order_ids)) if order_ids is not None else SQL()
        return SQL(
            """(
            SELECT so.id
              FROM stock_picking p
              JOIN stock_picking_type t ON t.id = p.picking_type_id
              JOIN sale_order so ON so.id = p.sale_id
              JOIN res_company c ON c.id = so.company_id
             WHERE p.state NOT IN ('done', 'cancel')
               AND t.code = 'outgoing'
               AND so.state = 'sale'
               AND so.commitment_date IS NOT NULL
               %(restrict)s
               AND (p.scheduled_date > so.commitment_date
                    OR so.commitment_date <= %(now)s
                       + COALESCE(c.fulfilment_expedite_days, 0) * INTERVAL '1 day')
            UNION
            SELECT so.id
              FROM mrp_production mo
              JOIN sale_order so ON so.id = mo.fulfilment_sale_id
             WHERE mo.state NOT IN ('done', 'cancel')
               AND so.state = 'sale'
               AND so.commitment_date IS NOT NULL
               %(restrict)s
               AND COALESCE(mo.date_finished, mo.date_deadline) > so.commitment_date
            )""",
            restrict=restrict,
            now=now,
        )

    @api.depends(
        "state",
        "commitment_date",
        "picking_ids.scheduled_date",
        "picking_ids.state",
        "fulfilment_production_ids.date_finished",
        "fulfilment_production_ids.state",
    )
    def _compute_fulfilment_at_risk(self):
        # Forms compute on new records: ask about the saved order behind them.
        order_ids = [order._origin.id for order in self if order._origin.id]
        at_risk = set()
        if order_ids:
            self.env.flush_all()
            self.env.cr.execute(self._fulfilment_at_risk_sql(order_ids))
            at_risk = {row[0] for row in self.env.cr.fetchall()}
        for order in self:
            order.fulfilment_at_risk = order._origin.id in at_risk

    def _search_fulfilment_at_risk(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search orders at risk with “is set” or “is not set” only."))
        positive = (operator == "=") == value
        self.env.flush_all()
        return [("id", "in" if positive else "not in", self._fulfilment_at_risk_sql())]

    @api.depends("order_line.qty_delivered", "order_line.product_uom_qty", "order_line.product_id")
    def _compute_fulfilment_delivered_percent(self):
        for order in self:
            lines = order.order_line.filtered(
                lambda line: not line.display_type and line.product_id.type == "consu"
            )
            ordered = sum(lines.mapped("product_uom_qty"))
            delivered = sum(min(line.qty_delivered, line.product_uom_qty) for line in lines)
            order.fulfilment_delivered_percent = 100.0 * delivered / ordered if ordered else 0.0

    @api.depends("fulfilment_production_ids.state")
    def _compute_fulfilment_production_summary(self):
        labels = dict(self.env["mrp.production"]._fields["state"]._description_selection(self.env))
        for order in self:
            counts = Counter(order.sudo().fulfilment_production_ids.mapped("state"))
            order.fulfilment_production_summary = ", ".join(
                f"{labels.get(state, state)}: {count}" for state, count in sorted(counts.items())
            )

    @api.model
    def _cron_fulfilment_follow_up(self, batch_size=200):
        """Daily follow-up (跟单): expedite activities and notices for orders close to their date."""
        done_ids = []
        for company in self.env["res.company"].search([]):
            tz = company.partner_id.tz or company.resource_calendar_id.tz or "UTC"
            today = fields.Date.context_today(self.with_context(tz=tz))
            limit = fields.Datetime.now() + timedelta(days=company.fulfilment_expedite_days)
            domain = [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("commitment_date", "!=", False),
                ("commitment_date", "<=", limit),
                "|",
                ("fulfilment_followup_date", "=", False),
                ("fulfilment_followup_date", "<", today),
                (
                    "picking_ids",
                    "any",
                    [("picking_type_id.code", "=", "outgoing"), ("state", "not in", ("done", "cancel"))],
                ),
            ]
            tried = []
            while True:
                orders = self.search(domain + [("id", "not in", tried)], limit=batch_size, order="id")
                if not orders:
                    break
                tried += orders.ids
                orders = orders._fulfilment_lock_for_follow_up(today)
                orders._fulfilment_follow_up(today)
                done_ids += orders.ids
                if not getattr(threading.current_thread(), "testing", False):
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        return self.browse(done_ids)

    def _fulfilment_lock_for_follow_up(self, today):
        """Lock the orders; skip the ones another run holds or already followed up today."""
        if not self:
            return self
        self.env.cr.execute(
            SQL(
                """SELECT id FROM sale_order
                    WHERE id IN %s
                      AND (fulfilment_followup_date IS NULL OR fulfilment_followup_date < %s)
                      FOR UPDATE SKIP LOCKED""",
                tuple(self.ids),
                today,
            )
        )
        locked = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda o: o.id in locked)

    def _fulfilment_follow_up(self, today):
        if not self:
            return
        activity_type = self.env.ref("order_fulfilment.mail_activity_type_expedite")
        open_activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        already = set(open_activities.mapped("res_id"))
        model_id = self.env["ir.model"]._get_id("sale.order")
        activity_vals = []
        for order in self:
            if order.id in already:
                continue
            lang_order = order.with_context(lang=order.user_id.lang or self.env.lang)
            activity_vals.append(
                {
                    "res_model_id": model_id,
                    "res_id": order.id,
                    "activity_type_id": activity_type.id,
                    "user_id": (order.user_id or self.env.user).id,
                    "date_deadline": today,
                    "summary": lang_order.env._(
                        "Expedite %(order)s: promised for %(date)s",
                        order=order.name,
                        date=format_datetime(lang_order.env, order.commitment_date),
                    ),
                }
            )
        if activity_vals:
            self.env["mail.activity"].create(activity_vals)
        productions = self.fulfilment_production_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for production in productions:
            order = production.fulfilment_sale_id
            production.message_post(
                body=self.env._(
                    "Expedite notice: sale order %(order)s is promised to the customer for %(date)s. "
                    "Please make sure this manufacturing order finishes in time.",
                    order=order.name,
                    date=format_datetime(self.env, order.commitment_date),
                ),
                partner_ids=production.user_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.write({"fulfilment_followup_date": today})

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------
    fulfilment_customer_class = fields.Selection(
        related="partner_id.commercial_partner_id.fulfilment_customer_class",
        string="Customer Class",
        store=True,
        index=True,
    )
    delivery_released = fields.Boolean(
        compute="_compute_delivery_released",
        store=True,
        index=True,
        help="Deliveries of this order may be validated: the customer is class A, the invoices "
        "are paid and cover the order, or finance released it.",
    )
    delivery_released_by_id = fields.Many2one("res.users", copy=False, readonly=True, index="btree_not_null")
    delivery_released_date = fields.Datetime(copy=False, readonly=True)
    fulfilment_fully_delivered = fields.Boolean(
        string="Fully Delivered",
        compute="_compute_fulfilment_delivery",
        store=True,
        help="Every product line is delivered in full and no delivery is left open.",
    )
    fulfilment_delivered_date = fields.Datetime(
        string="Delivered On",
        compute="_compute_fulfilment_delivery",
        store=True,
        help="When the last delivery arrived: its proof of delivery date, or the date it was "
        "validated when there is no proof of delivery.",
    )
    on_time_in_full = fields.Boolean(
        compute="_compute_fulfilment_delivery",
        store=True,
        help="Set once everything is delivered: everything arrived in full by the commitment "
        "date (or the expected date when there is no commitment date).",
    )
    fulfilment_delivery_closed = fields.Boolean(
        string="Delivery Complete",
        compute="_compute_fulfilment_delivery",
        store=True,
        help="Nothing is left to ship: at least one delivery is done and the others are done or "
        "cancelled, in full or short.",
    )
    fulfilment_days_late = fields.Integer(
        string="Days Late",
        compute="_compute_fulfilment_delivery",
        store=True,
        help="Once nothing is left to ship: the days between the commitment date (or the expected "
        "date) and the last arrival, 0 when on time.",
    )

    @api.depends(
        "fulfilment_customer_class",
        "amount_total",
        "delivery_released_by_id",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.payment_state",
        "order_line.invoice_lines.move_id.amount_total",
    )
    def _compute_delivery_released(self):
        for order in self:
            order.delivery_released = (
                order.fulfilment_customer_class == "A"
                or bool(order.delivery_released_by_id)
                or order._fulfilment_invoices_cover_order()
            )

    def _fulfilment_invoices_cover_order(self):
        """Every posted customer invoice is paid and, net of credit notes, they cover the order."""
        self.ensure_one()
        invoices = self.order_line.invoice_lines.move_id.filtered(
            lambda move: move.state == "posted" and move.move_type in ("out_invoice", "out_refund")
        )
        customer_invoices = invoices.filtered(lambda move: move.move_type == "out_invoice")
        if not customer_invoices or any(
            move.payment_state not in ("paid", "in_payment") for move in customer_invoices
        ):
            return False
        today = fields.Date.context_today(self)
        invoiced = sum(
            move.currency_id._convert(
                move.amount_total, self.currency_id, self.company_id, move.invoice_date or today
            )
            * (1 if move.move_type == "out_invoice" else -1)
            for move in invoices
        )
        return float_compare(invoiced, self.amount_total, precision_rounding=self.currency_id.rounding) >= 0

    @api.constrains("delivery_released_by_id", "delivery_released_date")
    def _check_delivery_release_rights(self):
        # Only action_release_delivery() (which writes as superuser) or finance may set these.
        if self.env.su or self.env.user.has_group("order_fulfilment.group_review_finance"):
            return
        raise AccessError(self._fulfilment_release_refused_message())

    def _fulfilment_release_refused_message(self):
        group = self.env.ref("order_fulfilment.group_review_finance")
        return self.env._(
            "Only members of the group %(group)s can release the delivery of order %(orders)s.",
            group=group.name,
            orders=", ".join(self.mapped("name")),
        )

    def action_release_delivery(self):
        """Finance lets the deliveries of these orders ship before payment."""
        if not self.env.user.has_group("order_fulfilment.group_review_finance"):
            raise AccessError(self._fulfilment_release_refused_message())
        cancelled = self.filtered(lambda order: order.state == "cancel")
        if cancelled:
            raise UserError(
                self.env._(
                    "Order %(orders)s is cancelled: there is no delivery to release.",
                    orders=", ".join(cancelled.mapped("name")),
                )
            )
        if not self:
            return True
        # Lock the orders so that a double click or a concurrent call releases only once.
        self.env.cr.execute(
            "SELECT id FROM sale_order WHERE id IN %s FOR UPDATE", [tuple(self.ids)], log_exceptions=False
        )
        self.invalidate_recordset(["delivery_released_by_id", "delivery_released"])
        to_release = self.filtered(lambda order: not order.delivery_released)
        if not to_release:
            return True
        now = fields.Datetime.now()
        to_release.sudo().write({"delivery_released_by_id": self.env.uid, "delivery_released_date": now})
        body = escape(self.env._("Delivery released before payment by %(user)s.", user=self.env.user.name))
        to_release.sudo()._message_log_batch(
            bodies=dict.fromkeys(to_release.ids, body), author_id=self.env.user.partner_id.id
        )
        return True

    def _fulfilment_delivery_lines(self):
        """The lines that ship: goods, not notes, down payments or delivery charges."""
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and line.product_id.type == "consu"
                and not line._is_delivery()
                and line.product_uom_qty > 0
            )
        )

    def _fulfilment_local_date(self, value):
        tz = pytz.timezone(self.user_id.tz or self.company_id.partner_id.tz or "UTC")
        return pytz.utc.localize(value).astimezone(tz).date()

    @api.depends(
        "state",
        "commitment_date",
        "order_line.qty_delivered",
        "order_line.product_uom_qty",
        "picking_ids.state",
        "picking_ids.date_done",
        "picking_ids.fulfilment_pod_date",
    )
    def _compute_fulfilment_delivery(self):
        for order in self:
            lines = order._fulfilment_delivery_lines()
            deliveries = order.picking_ids.filtered(
                lambda picking: picking.picking_type_code == "outgoing" and not picking.return_id
            )
            done = deliveries.filtered(lambda picking: picking.state == "done")
            closed = (
                order.state == "sale"
                and bool(lines)
                and bool(done)
                and all(picking.state in ("done", "cancel") for picking in deliveries)
            )
            fully = closed and all(
                float_compare(
                    line.qty_delivered, line.product_uom_qty, precision_rounding=line.product_uom.rounding
                )
                >= 0
                for line in lines
            )
            delivered_date = closed and max(
                picking.fulfilment_pod_date or picking.date_done for picking in done
            )
            deadline = order.commitment_date or order.expected_date
            days_late = 0
            if closed and deadline:
                days_late = max(
                    0,
                    (
                        order._fulfilment_local_date(delivered_date) - order._fulfilment_local_date(deadline)
                    ).days,
                )
            order.fulfilment_delivery_closed = closed
            order.fulfilment_fully_delivered = fully
            order.fulfilment_delivered_date = delivered_date or False
            order.fulfilment_days_late = days_late
            order.on_time_in_full = bool(fully and deadline and not days_late)

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    change_request_ids = fields.One2many(
        "fulfilment.change.request", "order_id", string="Change Requests", copy=False
    )
    change_request_count = fields.Integer(compute="_compute_change_request_count")

    @api.depends("change_request_ids")
    def _compute_change_request_count(self):
        counts = dict(
            self.env["fulfilment.change.request"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.change_request_count = counts.get(order._origin, 0)

    def action_request_change(self):
        """Open a new change request (订单变更) of this confirmed order."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "%(order)s is not confirmed: change the quotation directly instead of "
                    "requesting a change.",
                    order=self.display_name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request Change"),
            "res_model": "fulfilment.change.request",
            "view_mode": "form",
            "target": "current",
            "context": {"default_order_id": self.id},
        }

    def action_view_change_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_fulfilment.fulfilment_change_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
    ticket_ids = fields.One2many(
        "fulfilment.ticket",
        "order_id",
        string="After-sales Tickets",
        groups="order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman",
    )
    fulfilment_ticket_count = fields.Integer(
        string="Tickets",
        compute="_compute_fulfilment_ticket_count",
        groups="order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman",
    )
    fulfilment_replacement_ticket_id = fields.Many2one(
        "fulfilment.ticket",
        string="Replacement For",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The after-sales ticket this zero-price order replaces goods for.",
    )

    @api.depends("ticket_ids")
    def _compute_fulfilment_ticket_count(self):
        counts = dict(
            self.env["fulfilment.ticket"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.fulfilment_ticket_count = counts.get(order._origin, 0)

    def action_view_fulfilment_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_ticket_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {
            "default_order_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        return action

    # ------------------------------------------------------------------
    # Demo data: the delivery history and rush orders of the pump factory
    # ------------------------------------------------------------------
    @api.model
    def _demo_approve_reviews(self, order, requester, requested_at, hours):
        """Demo data: request the order's review and approve every step, dated in the past."""
        order.with_user(requester)._review_request()
        while pending := order._review_current().filtered(lambda r: r.state == "pending"):
            for review in pending:
                reviewer = self.env["res.users"].search(
                    [
                        ("groups_id", "in", review.group_id.ids),
                        ("id", "!=", requester.id),
                        ("share", "=", False),
                    ],
                    limit=1,
                    order="id desc",
                )
                review.with_user(reviewer)._decide("approved", comment=self.env._("Checked, we can do it."))
        reviews = order._review_current()
        for step, review in enumerate(reviews.sorted("sequence")):
            review.write(
                {
                    "request_date": requested_at,
                    "decision_date": requested_at + timedelta(hours=hours * (step + 1) / len(reviews)),
                }
            )

    @api.model
    def _demo_create_fulfilment_story(self):
        """Demo data, dated from today: six months of deliveries and two rush orders in production."""
        ref = self.env.ref
        salesman = ref("order_fulfilment.user_demo_salesman")
        finance = ref("order_fulfilment.user_demo_finance")
        stock = ref("stock.warehouse0").lot_stock_id
        standard_pump = ref("order_fulfilment.product_demo_standard_pump")
        self.env["stock.quant"]._update_available_quantity(standard_pump, stock, 80)
        customers = [
            ref("order_fulfilment.partner_demo_waterworks"),
            ref("order_fulfilment.partner_demo_farm"),
            ref("order_fulfilment.partner_demo_class_a"),
            ref("order_fulfilment.partner_demo_class_b"),
            ref("order_fulfilment.partner_demo_class_c"),
        ]
        products = [
            standard_pump,
            ref("order_fulfilment.product_demo_impeller"),
            ref("order_fulfilment.product_demo_seal"),
        ]
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        today = now.replace(hour=9)
        # (days ago the order was placed, days after the promised date it arrived, shipped short,
        #  hours the review took: large orders need the production and purchasing sign-offs)
        history = [
            (170, -2, False, 0),
            (160, 0, False, 26),
            (140, 3, False, 0),
            (125, -1, False, 0),
            (110, -3, False, 7),
            (95, 5, False, 0),
            (80, 0, False, 0),
            (70, -1, True, 30),
            (55, -2, False, 0),
            (45, 1, False, 0),
            (35, 0, False, 5),
            (25, -1, False, 0),
        ]
        for index, (placed_days_ago, arrived_after, short, review_hours) in enumerate(history):
            placed = today - timedelta(days=placed_days_ago)
            promised = placed + timedelta(days=10)
            product = products[index % len(products)]
            if review_hours:
                product, qty = standard_pump, 5
            else:
                qty = 2 if product == standard_pump else 10
            order = self.create(
                {
                    "partner_id": customers[index % len(customers)].id,
                    "user_id": salesman.id,
                    "commitment_date": promised,
                    "client_order_ref": f"PO-{2400 + index}",
                    "order_line": [fields.Command.create({"product_id": product.id, "product_uom_qty": qty})],
                }
            )
            if review_hours:
                self._demo_approve_reviews(
                    order, salesman, placed - timedelta(hours=review_hours + 2), review_hours
                )
            order.action_confirm()
            if not order.delivery_released:
                order.write({"delivery_released_by_id": finance.id, "delivery_released_date": placed})
            picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
            picking.action_assign()
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty - (move.product_uom_qty // 4 if short else 0)
            picking.move_ids.picked = True
            if short:
                picking.short_shipment_consent = (
                    "Mr. Zhao agreed by phone to receive the rest with the next order."
                )
            picking.with_context(
                skip_backorder=True, picking_ids_not_to_backorder=picking.ids
            ).button_validate()
            arrived = promised + timedelta(days=arrived_after)
            picking.write({"date_done": arrived - timedelta(hours=4)})
            order.write({"date_order": placed})

        # Rush orders in production: one due tomorrow (at risk), one next month.
        rush_pump = ref("order_fulfilment.product_demo_pump")
        for partner, days, reason in (
            (customers[0], 1, "Burst main at the Harbin pumping station."),
            (customers[2], 30, "Replacement for a flooded station before the rainy season."),
        ):
            order = self.create(
                {
                    "partner_id": partner.id,
                    "user_id": salesman.id,
                    "commitment_date": today + timedelta(days=days),
                    "is_rush": True,
                    "rush_reason": reason,
                    "order_line": [fields.Command.create({"product_id": rush_pump.id, "product_uom_qty": 2})],
                }
            )
            self._demo_approve_reviews(order, salesman, now - timedelta(hours=5), 2)
            order.with_user(salesman).action_confirm()
