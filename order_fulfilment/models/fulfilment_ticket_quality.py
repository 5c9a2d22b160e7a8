from odoo import fields, models
from odoo.exceptions import UserError


class FulfilmentTicket(models.Model):
    """A complaint about a product defect feeds quality: the ticket opens a nonconformity
    linked to its lot, product and order."""

    _inherit = "fulfilment.ticket"

    nonconformity_ids = fields.One2many("fulfilment.nonconformity", "ticket_id", "Nonconformities")

    def action_open_nonconformity(self):
        """Open the ticket's nonconformity (once: a second call opens the same one)."""
        self.ensure_one()
        self.check_access("write")
        nonconformity = self.sudo().nonconformity_ids[:1]
        if not nonconformity:
            if not self.product_id:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s: set the product that is defective first.",
                        ticket=self.display_name,
                    )
                )
            nonconformity = (
                self.env["fulfilment.nonconformity"]
                .sudo()
                .create(
                    {
                        "ticket_id": self.id,
                        "company_id": self.company_id.id or self.env.company.id,
                        "product_id": self.product_id.id,
                        "lot_id": self.lot_id.id,
                        "qty": self.quantity or 1.0,
                        "order_id": self.order_id.id,
                        "picking_id": self.picking_id.id,
                        "partner_id": self.partner_id.id,
                        "user_id": False,
                        "description": self.description,
                    }
                )
            )
            self._fulfilment_log(
                lambda ticket: ticket.env._(
                    "Nonconformity %(nonconformity)s opened for the quality department.",
                    nonconformity=nonconformity.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "fulfilment.nonconformity",
            "res_id": nonconformity.id,
            "view_mode": "form",
            "target": "current",
        }
