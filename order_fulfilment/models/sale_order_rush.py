from collections import Counter
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_datetime

from ..tools import promise
from ..tools.checks import raise_if_any
from ..tools.orm import run_batches
from ..tools.working_days import WorkingDays


class SaleOrder(models.Model):
    """Rush orders, the delivery promise, the at-risk flag and the expedite follow-up."""

    _inherit = "sale.order"

    is_rush = fields.Boolean(
        "Rush Order",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Scheduled before other orders in manufacturing and shipping.",
    )
    rush_reason = fields.Char(copy=False, tracking=True)
    # Indexed: the at-risk search and the follow-up cron filter on it.
    commitment_date = fields.Datetime(index=True)
    fulfilment_promise_date = fields.Datetime(
        "Promised Date",
        compute="_compute_fulfilment_promise_date",
        help="Delivery promise from the order time (or the customer's signature), the "
        "cut-off hour and the rush or standard lead days, in working days of the company.",
    )
    fulfilment_at_risk = fields.Boolean(
        "At Risk",
        compute="_compute_fulfilment_at_risk",
        search="_search_fulfilment_at_risk",
        help="An open manufacturing order or delivery is planned after the commitment date, "
        "or the commitment date is within the expedite window and the order is not delivered.",
    )
    fulfilment_delivered_percent = fields.Float(
        "Delivered (%)", compute="_compute_fulfilment_delivered_percent", digits=(16, 1)
    )
    fulfilment_production_ids = fields.One2many(
        "mrp.production",
        "fulfilment_sale_id",
        "Order Manufacturing Orders",
        help="Manufacturing orders made for this order, sub-assemblies included.",
    )
    fulfilment_production_summary = fields.Char(
        "Manufacturing Status", compute="_compute_fulfilment_production_summary"
    )
    fulfilment_followup_date = fields.Date(
        "Last Follow-up", copy=False, readonly=True, help="Day of the last expedite follow-up of this order."
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

    def _check_rush_editable(self, vals):
        """Locked and cancelled orders keep their rush flag and reason, as in the form. A write
        that unlocks the order, or cancels an open one, may change them in the same call."""
        if self.env.su or not {"is_rush", "rush_reason"} & set(vals):
            return

        def frozen_before_and_after(order):
            after_state, after_locked = vals.get("state", order.state), vals.get("locked", order.locked)
            return order._is_readonly() and (after_state == "cancel" or bool(after_locked))

        def changed(order):
            return ("is_rush" in vals and bool(vals["is_rush"]) != order.is_rush) or (
                "rush_reason" in vals and (vals["rush_reason"] or False) != (order.rush_reason or False)
            )

        raise_if_any(
            self.filtered(lambda o: frozen_before_and_after(o) and changed(o)),
            lambda orders: self.env._(
                "%(orders)s is locked or cancelled, so its rush flag and reason cannot change. "
                "Unlock the order, or set the cancelled order back to quotation, first.",
                orders=orders,
            ),
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.browse()._check_rush_permission(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_rush_editable(vals)
        rush_toggled = self.browse()
        if "is_rush" in vals:
            self._check_rush_permission([vals])
            rush_toggled = self.filtered(lambda o: o.is_rush != bool(vals["is_rush"]))
        result = super().write(vals)
        if rush_toggled:
            rush_toggled.filtered(lambda o: o.state == "sale")._fulfilment_sync_rush()
        return result

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
        return self.company_id._fulfilment_tz()

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
            if company not in calendars:
                calendars[company] = WorkingDays(company)
            lead_days = (
                company.fulfilment_rush_lead_days if order.is_rush else company.fulfilment_standard_lead_days
            )
            try:
                order.fulfilment_promise_date = promise.promise_datetime(
                    base, tz, company.fulfilment_cutoff_hour, lead_days, calendars[company]
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
        """Daily follow-up (跟单): expedite activities and notices for orders close to their date.

        A batch of orders per call in the scheduled action (Odoo commits and calls again), every
        batch when called directly. Returns the orders followed up.
        """
        done = self.browse()
        tried = []
        companies = self.env["res.company"].search([])

        def batch(limit):
            nonlocal done
            for company in companies:
                today = fields.Date.context_today(self.with_context(tz=company._fulfilment_tz().zone))
                domain = self._fulfilment_follow_up_domain(company, today) + [("id", "not in", tried)]
                orders = self.search(domain, limit=limit, order="id")
                if not orders:
                    continue
                tried.extend(orders.ids)
                locked = orders._fulfilment_lock_for_follow_up(today)
                locked._fulfilment_follow_up(today)
                done |= locked
                return len(orders), True
            return 0, False

        run_batches(self.env, batch, batch_size)
        return done

    @api.model
    def _fulfilment_follow_up_domain(self, company, today):
        limit = fields.Datetime.now() + timedelta(days=company.fulfilment_expedite_days)
        return [
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
            self._fulfilment_with_sender().env["mail.activity"].create(activity_vals)
        productions = self.fulfilment_production_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for production in productions:
            order = production.fulfilment_sale_id
            # In the language of the production user it is sent to.
            production._fulfilment_post(
                lambda mo, order=order: mo.env._(
                    "Expedite notice: sale order %(order)s is promised to the customer for %(date)s. "
                    "Please make sure this manufacturing order finishes in time.",
                    order=order.name,
                    date=format_datetime(mo.env, order.commitment_date),
                ),
                lang=production.user_id.lang,
                partner_ids=production.user_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.write({"fulfilment_followup_date": today})
