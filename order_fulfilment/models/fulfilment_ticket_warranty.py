"""After-sales tickets: in or out of warranty (保修), and the sign-off of free service.

A ticket is in warranty when its serial's warranty end (``stock.lot.fulfilment_warranty_end``)
is on or after the day the ticket was opened. Its ``charge`` says who pays the repair or the
replacement: free of charge by default in warranty, charged to the customer out of warranty.

Free of charge is the state the review engine gates: out of warranty, a rule that applies to
tickets (the default one: every ticket out of warranty) needs an approved sign-off before the
ticket becomes free. Approving it makes the ticket free; its repair follows (Odoo's
``repair.order.under_warranty``, which prices the parts at zero) and so may its replacement,
which this addon always makes at zero price.
"""

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
    # Another customer, product or serial is another warranty case: sign it off again.
    _review_watched_fields = {"partner_id": None, "product_id": None, "lot_id": None}

    warranty_end = fields.Date(related="lot_id.fulfilment_warranty_end", string="Warranty End")
    in_warranty = fields.Boolean(
        compute="_compute_in_warranty",
        store=True,
        precompute=True,
        help="The serial's warranty had not ended on the day the ticket was opened.",
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

    @api.depends("lot_id.fulfilment_warranty_end", "opened_date")
    def _compute_in_warranty(self):
        today = fields.Date.today()
        for ticket in self:
            end = ticket.lot_id.fulfilment_warranty_end
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
        return env._("the customer, the product or the serial of the ticket changed")

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


class FulfilmentReviewRule(models.Model):
    _inherit = "fulfilment.review.rule"

    applies_to = fields.Selection(
        selection_add=[("ticket", "After-sales Tickets")], ondelete={"ticket": "cascade"}
    )
