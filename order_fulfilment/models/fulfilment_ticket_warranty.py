"""After-sales tickets: in or out of warranty (保修), and the sign-off of free service.

A ticket is in warranty when its warranty end is on or after the day the ticket was opened. The
warranty end is its serial's (``stock.lot.fulfilment_warranty_end``) when it names one; for goods
without a serial, its delivery's: the day the ticket's delivery was done (or, without one, the
first done delivery of the product on the ticket's order) plus the product's warranty months.
That date is refreshed for the open tickets of a delivery when the delivery is done.

Its ``charge`` says who pays the repair or the replacement: free of charge by default in
warranty, charged to the customer out of warranty.

Free of charge is the state the review engine gates: out of warranty, a rule that applies to
tickets (the default one: every ticket out of warranty) needs an approved sign-off before the
ticket becomes free. Approving it makes the ticket free; its repair follows (Odoo's
``repair.order.under_warranty``, which prices the parts at zero) and so may its replacement,
which this addon always makes at zero price.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .fulfilment_ticket import OPEN_STATES

CHARGES = [("charged", "Charged to Customer"), ("free", "Free of Charge")]
# The ticket's states in which its charge can be reviewed ("waiting" for the customer included).
REVIEW_TICKET_STATES = tuple(dict.fromkeys((*OPEN_STATES, "waiting")))


class FulfilmentTicket(models.Model):
    _name = "fulfilment.ticket"
    _inherit = ["fulfilment.ticket", "fulfilment.review.mixin"]
    _review_applies_to = "ticket"
    _review_state_field = "charge"
    _review_open_states = ("charged",)
    _review_gate_states = ("free",)
    # Another customer, product, serial or delivery is another warranty case: sign it off again.
    _review_watched_fields = {
        "partner_id": None,
        "product_id": None,
        "lot_id": None,
        "order_id": None,
        "picking_id": None,
    }

    delivered_date = fields.Datetime(
        "Delivered On",
        compute="_compute_delivered_date",
        store=True,
        precompute=True,
        help="When the goods of the ticket were delivered to the customer: the serial's first "
        "delivery, else the ticket's delivery, else the first delivery of the product on the "
        "ticket's order. The warranty counts from it.",
    )
    warranty_end = fields.Date(
        compute="_compute_warranty_end",
        store=True,
        precompute=True,
        help="The serial's warranty end; for goods without a serial, the delivery plus the "
        "product's warranty months. Empty when the goods were never delivered or the product has "
        "no warranty.",
    )
    in_warranty = fields.Boolean(
        compute="_compute_in_warranty",
        store=True,
        precompute=True,
        help="The warranty had not ended on the day the ticket was opened.",
    )
    charge = fields.Selection(
        CHARGES,
        compute="_compute_charge",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        copy=False,
        tracking=True,
        help="Who pays the repair or the replacement. Free of charge out of warranty needs a sign-off.",
    )

    def _fulfilment_deliveries(self):
        """The done deliveries to a customer of these tickets (their own, and those of their
        orders): {delivery: the products it delivered}, in two queries."""
        pickings = self.picking_id
        orders = self.order_id
        if not (pickings or orders):
            return {}
        groups = (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [
                    "|",
                    ("picking_id", "in", pickings.ids),
                    ("picking_id.sale_id", "in", orders.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("location_id.usage", "!=", "customer"),
                ],
                ["picking_id", "product_id"],
            )
        )
        deliveries = {}
        for picking, product in groups:
            deliveries[picking] = deliveries.get(picking, product.browse()) | product
        return deliveries

    def _fulfilment_delivered_dates(self):
        """{ticket id: when its goods were delivered} of these tickets without a serial (the
        serial's first delivery counts for the others): the day their delivery was done, or
        without one the first done delivery of their order (of their product, when they name one)."""
        tickets = self.filtered(lambda t: not t.lot_id)
        deliveries = tickets._fulfilment_deliveries()
        if not deliveries:
            return {}
        by_order = {}
        for picking in deliveries:
            if picking.date_done:
                by_order.setdefault(picking.sale_id.id, []).append(picking)
        result = {}
        for ticket in tickets:
            product = ticket.product_id

            def delivered(picking, product=product):
                return picking in deliveries and (not product or product in deliveries[picking])

            date = ticket.picking_id.sudo().date_done if delivered(ticket.picking_id) else None
            if not date and ticket.order_id:
                pickings = by_order.get(ticket.order_id.id, ())
                dates = [picking.date_done for picking in pickings if delivered(picking)]
                date = min(dates) if dates else None
            if date:
                result[ticket._origin.id or ticket.id] = date
        return result

    @api.depends("lot_id.fulfilment_first_delivery_date", "picking_id", "order_id", "product_id")
    def _compute_delivered_date(self):
        # The deliveries' own changes do not trigger it: a delivery done refreshes its open
        # tickets (StockPicking below), as it does the first delivery of its serials.
        dates = self._fulfilment_delivered_dates()
        for ticket in self:
            if ticket.lot_id:
                ticket.delivered_date = ticket.lot_id.fulfilment_first_delivery_date
            else:
                ticket.delivered_date = dates.get(ticket._origin.id or ticket.id, False)

    @api.depends(
        "lot_id.fulfilment_warranty_end",
        "delivered_date",
        "product_id.product_tmpl_id.fulfilment_warranty_months",
    )
    def _compute_warranty_end(self):
        for ticket in self:
            if ticket.lot_id:
                # A serial's own warranty wins.
                ticket.warranty_end = ticket.lot_id.fulfilment_warranty_end
                continue
            months = ticket.product_id.product_tmpl_id.fulfilment_warranty_months
            start = ticket.delivered_date
            ticket.warranty_end = (
                fields.Date.to_date(start) + relativedelta(months=months) if start and months > 0 else False
            )

    def _fulfilment_refresh_delivered_date(self):
        """Read the delivery of these tickets again and write the dates that changed, one write
        per distinct date (their warranty follows)."""
        tickets = self.sudo().filtered(lambda t: not t.lot_id)
        dates = tickets._fulfilment_delivered_dates()
        changed = {}
        for ticket in tickets:
            date = dates.get(ticket.id, False)
            if ticket.delivered_date != date:
                changed.setdefault(date, []).append(ticket.id)
        for date, ids in changed.items():
            tickets.browse(ids).write({"delivered_date": date})
        if changed:
            # In or out of warranty now: their open repairs follow the charge.
            tickets.browse([i for ids in changed.values() for i in ids])._fulfilment_sync_repair_warranty()
        return True

    @api.depends("warranty_end", "opened_date")
    def _compute_in_warranty(self):
        today = fields.Date.today()
        for ticket in self:
            end = ticket.warranty_end
            opened = fields.Date.to_date(ticket.opened_date) if ticket.opened_date else today
            ticket.in_warranty = bool(end and opened <= end)

    @api.depends("in_warranty")
    def _compute_charge(self):
        for ticket in self:
            ticket.charge = "free" if ticket.in_warranty else "charged"

    # ------------------------------------------------------------------
    # Review hooks
    # ------------------------------------------------------------------
    def _review_is_open(self):
        return self.state in REVIEW_TICKET_STATES and self.charge == "charged"

    @api.model
    def _review_state_depends(self):
        return [*super()._review_state_depends(), "state", "in_warranty"]

    @api.model
    def _review_open_domain(self):
        return [*super()._review_open_domain(), ("state", "in", list(REVIEW_TICKET_STATES))]

    def _review_on_approved(self):
        # Signed off: free of charge (the tickets still open; a handled ticket stays as it was).
        self.filtered(lambda t: t._review_is_open()).sudo().write({"charge": "free"})

    def _review_changed_reason(self, env):
        return env._("the customer, the product, the serial or the delivery of the ticket changed")

    # ------------------------------------------------------------------
    # Free of charge: the repair and the replacement follow the ticket
    # ------------------------------------------------------------------
    def _review_closed_message(self, blocked, rules):
        return self.env._(
            "%(tickets)s: free of charge out of warranty needs the sign-off of %(departments)s. Keep it "
            "charged to the customer and request the sign-off: it becomes free once approved.",
            tickets=", ".join(blocked.mapped("display_name")),
            departments=", ".join(dict.fromkeys(rules.mapped("department"))),
        )

    def write(self, vals):
        # The engine watches the records open for review (charged): a free ticket is past its
        # gate, so its sign-off is cancelled here when the case it signed changes.
        signed = self.browse()
        if set(vals) & set(self._review_watched_fields):
            signed = self.filtered(lambda t: t.charge == "free" and t.review_state in ("pending", "approved"))
        before = signed._review_snapshot() if signed else {}
        result = super().write(vals)
        if signed:
            after = signed._review_snapshot()
            signed.filtered(lambda t: before[t.id] != after[t.id])._review_invalidate(
                self._review_changed_reason
            )
        if {"charge", "lot_id", "product_id"} & set(vals):
            self._fulfilment_sync_repair_warranty()
        return result

    def _fulfilment_sync_repair_warranty(self):
        """The open repairs of these tickets are under warranty exactly when the ticket is free."""
        for free, tickets in self.grouped(lambda t: t.charge == "free").items():
            repairs = tickets.sudo().repair_id.filtered(
                lambda r, free=free: r.state not in ("done", "cancel") and r.under_warranty != free
            )
            if repairs:
                repairs.write({"under_warranty": free})

    def action_create_replacement(self):
        self.ensure_one()
        # The ticket's own checks first (state, product, an existing replacement), then the charge.
        if (
            self.state in OPEN_STATES
            and self.product_id
            and not self.replacement_order_id
            and self.charge != "free"
        ):
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is out of warranty: a replacement at zero price needs the "
                    "free-of-charge sign-off first. Request it, or sell the replacement on a quotation.",
                    ticket=self.name,
                )
            )
        return super().action_create_replacement()


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        # Goods delivered to a customer (the delivery's date is set now): the open tickets of that
        # delivery or its order without a serial count their warranty from it (the serials':
        # stock_lot.py).
        delivered = self.filtered(
            lambda picking: (
                picking.state == "done"
                and picking.location_dest_id.usage == "customer"
                and picking.location_id.usage != "customer"
            )
        )
        if delivered:
            domain = [("picking_id", "in", delivered.ids)]
            if delivered.sale_id:
                domain = ["|", *domain, ("order_id", "in", delivered.sale_id.ids)]
            tickets = (
                self.env["fulfilment.ticket"]
                .sudo()
                .search([("state", "in", REVIEW_TICKET_STATES), ("lot_id", "=", False), *domain])
            )
            tickets._fulfilment_refresh_delivered_date()
        return result


class FulfilmentReviewRule(models.Model):
    _inherit = "fulfilment.review.rule"

    applies_to = fields.Selection(
        selection_add=[("ticket", "After-sales Tickets")], ondelete={"ticket": "cascade"}
    )
