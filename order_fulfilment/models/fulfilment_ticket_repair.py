"""After-sales tickets: repairs (维修) in Odoo's repair app, linked both ways.

A repair ticket creates one repair order for its product and serial, for its customer, company
and sale order. The ticket shows the repair's status and is resolved only once the repair is
done or cancelled.
"""

from odoo import fields, models
from odoo.exceptions import UserError

from .fulfilment_ticket import OPEN_STATES

REPAIR_FINISHED = ("done", "cancel")


class FulfilmentTicket(models.Model):
    _inherit = "fulfilment.ticket"

    repair_id = fields.Many2one(
        "repair.order", "Repair Order", copy=False, readonly=True, index="btree_not_null", check_company=True
    )
    repair_state = fields.Selection(
        related="repair_id.state",
        string="Repair Status",
        help="Where the repair order of this ticket stands; "
        "the ticket is resolved once it is done or cancelled.",
    )

    def action_create_repair(self):
        """Create the repair order of this ticket, or open it when it exists already (a second
        click, or another agent at the same time, gets the same repair)."""
        self.ensure_one()
        self._check_agent()
        self._lock()
        if self.repair_id:
            return self.action_view_repair()
        self._check_state(OPEN_STATES, self.env._("given a repair"))
        if "repair" not in (self.ticket_type, self.resolution):
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is not a repair: set its type to Repair to create a repair order.",
                    ticket=self.name,
                )
            )
        if not self.product_id:
            raise UserError(
                self.env._("Ticket %(ticket)s: set the product to repair first.", ticket=self.name)
            )
        if self.product_id.type != "consu":
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: %(product)s is a service, not goods that can be repaired.",
                    ticket=self.name,
                    product=self.product_id.display_name,
                )
            )
        tracked = self.product_id.tracking != "none"
        repair = (
            self.env["repair.order"]
            .with_company(self.company_id)
            .create(
                {
                    "product_id": self.product_id.id,
                    "product_qty": 1.0 if self.product_id.tracking == "serial" else (self.quantity or 1.0),
                    "lot_id": self.lot_id.id if tracked else False,
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "sale_order_id": self.order_id.id,
                    "under_warranty": self.charge == "free",
                    "internal_notes": self.description or False,
                }
            )
        )
        repair.sudo().write({"fulfilment_ticket_id": self.id})
        self.sudo().write({"repair_id": repair.id})
        self._fulfilment_post_to_customer(
            lambda ticket: ticket.env._("Repair order %(repair)s created.", repair=repair.name)
        )
        return self.action_view_repair()

    def action_view_repair(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Repair Order"),
            "res_model": "repair.order",
            "res_id": self.repair_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_resolve(self):
        self._check_agent()
        self._lock()
        unfinished = self.filtered(lambda t: t.repair_id and t.repair_state not in REPAIR_FINISHED)
        if unfinished:
            ticket = unfinished[0]
            states = dict(self.env["repair.order"]._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: repair %(repair)s is %(state)s. Finish or cancel the repair "
                    "before resolving the ticket.",
                    ticket=ticket.name,
                    repair=ticket.repair_id.sudo().name,
                    state=states[ticket.repair_state],
                )
            )
        return super().action_resolve()
