"""Repair orders (维修) made from after-sales tickets: the link back to the ticket, and the
warranty flag that follows the ticket's free-of-charge sign-off."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class RepairOrder(models.Model):
    _inherit = "repair.order"

    fulfilment_ticket_id = fields.Many2one(
        "fulfilment.ticket",
        "After-sales Ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("fulfilment_ticket_id") for vals in vals_list):
            raise UserError(
                self.env._(
                    "A repair order is linked to an after-sales ticket from the ticket: use its "
                    "Create Repair button."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if "fulfilment_ticket_id" in vals and not self.env.su:
            raise UserError(
                self.env._(
                    "Repair orders %(repairs)s: the after-sales ticket is set when the ticket creates the "
                    "repair; it cannot be changed.",
                    repairs=", ".join(self.mapped("name")),
                )
            )
        if vals.get("under_warranty"):
            self._fulfilment_check_warranty()
        return super().write(vals)

    def _fulfilment_check_warranty(self):
        """A repair of a ticket is under warranty (free of charge) only when its ticket is."""
        not_free = self.sudo().filtered(
            lambda r: r.fulfilment_ticket_id and r.fulfilment_ticket_id.charge != "free"
        )
        if not_free:
            raise UserError(
                self.env._(
                    "Repair %(repair)s comes from ticket %(ticket)s, which is not free of charge: the "
                    "product is out of warranty. Request the free-of-charge sign-off on the ticket; the "
                    "repair follows once it is approved.",
                    repair=not_free[0].name,
                    ticket=not_free[0].fulfilment_ticket_id.name,
                )
            )

    def action_view_fulfilment_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("After-sales Ticket"),
            "res_model": "fulfilment.ticket",
            "res_id": self.fulfilment_ticket_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
