"""After-sales tickets: returns of delivered goods and zero-price replacement orders (R4.2)."""

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from ..tools.checks import raise_if_any
from .fulfilment_ticket import OPEN_STATES


class FulfilmentTicket(models.Model):
    _inherit = "fulfilment.ticket"

    return_picking_ids = fields.Many2many(
        "stock.picking",
        "fulfilment_ticket_return_picking_rel",
        "ticket_id",
        "picking_id",
        string="Returns",
        copy=False,
        readonly=True,
    )
    return_count = fields.Integer(compute="_compute_return_count")
    replacement_order_id = fields.Many2one("sale.order", copy=False, readonly=True, index="btree_not_null")

    def _compute_return_count(self):
        for ticket in self:
            ticket.return_count = len(ticket.return_picking_ids)

    def action_create_return(self):
        self.ensure_one()
        self._check_agent()
        self._lock()
        self._check_state(OPEN_STATES, self.env._("given a return"))
        picking = self.picking_id.sudo()
        if not picking or not self.product_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: set the delivery and the product to return first.", ticket=self.name
                )
            )
        if picking.state != "done":
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: delivery %(picking)s is not done yet; "
                    "only delivered goods come back.",
                    ticket=self.name,
                    picking=picking.name,
                )
            )
        raise_if_any(
            self.sudo().return_picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
            lambda returns: self.env._(
                "Ticket %(ticket)s already has the open return %(returns)s.",
                ticket=self.name,
                returns=returns,
            ),
            field="name",
        )
        # Agents need no inventory rights: the ticket's checks above guard the return.
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(active_id=picking.id, active_ids=picking.ids, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        product_lines = wizard.product_return_moves.filtered(lambda line: line.product_id == self.product_id)
        if not product_lines:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: %(product)s is not on delivery %(picking)s.",
                    ticket=self.name,
                    product=self.product_id.display_name,
                    picking=picking.name,
                )
            )
        # What was delivered, less what already came back (Odoo's own "return all" arithmetic).
        for line in wizard.product_return_moves:
            line.quantity = 0
        returned = (
            self.env["stock.move"]
            .sudo()
            .search([("origin_returned_move_id", "in", product_lines.move_id.ids), ("state", "!=", "cancel")])
        )
        available = {}
        for line in product_lines:
            move = line.move_id
            qty = move.quantity - sum(
                returned.filtered(lambda m, o=move: m.origin_returned_move_id == o).mapped("quantity")
            )
            available[line] = max(qty, 0.0)
        wanted = self.quantity or sum(available.values())
        total = sum(available.values())
        rounding = self.product_id.uom_id.rounding
        if float_is_zero(total, precision_rounding=rounding) or wanted > total + rounding:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: %(wanted)s of %(product)s cannot come back, "
                    "only %(available)s left to return on %(picking)s.",
                    ticket=self.name,
                    wanted=wanted,
                    product=self.product_id.display_name,
                    available=total,
                    picking=picking.name,
                )
            )
        for line, qty in available.items():
            line.quantity = min(qty, wanted)
            wanted -= line.quantity
        action = wizard.action_create_returns()
        return_picking = self.env["stock.picking"].sudo().browse(action["res_id"])
        self.sudo().write({"return_picking_ids": [Command.link(return_picking.id)]})
        self._fulfilment_post_to_customer(
            lambda ticket: ticket.env._("Return %(picking)s created.", picking=return_picking.name)
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return"),
            "res_model": "stock.picking",
            "res_id": return_picking.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_create_replacement(self):
        self.ensure_one()
        self._check_agent()
        self._lock()
        self._check_state(OPEN_STATES, self.env._("given a replacement"))
        if self.replacement_order_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s already has the replacement order %(order)s.",
                    ticket=self.name,
                    order=self.replacement_order_id.name,
                )
            )
        if not self.product_id:
            raise UserError(
                self.env._("Ticket %(ticket)s: set the product to replace first.", ticket=self.name)
            )
        # Agents need no sales rights: the ticket's checks above guard the replacement.
        order = (
            self.env["sale.order"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "origin": self.name,
                    "user_id": (self.order_id.sudo().user_id or self.env.user).id,
                    "fulfilment_replacement_ticket_id": self.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_id.id,
                                "product_uom_qty": self.quantity or 1.0,
                                "price_unit": 0.0,
                                "discount": 0.0,
                            }
                        )
                    ],
                }
            )
        )
        self.sudo().write({"replacement_order_id": order.id})
        self._fulfilment_post_to_customer(
            lambda ticket: ticket.env._(
                "Replacement order %(order)s created at zero price.", order=order.name
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Replacement Order"),
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_view_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.return_picking_ids.ids)]
        action["context"] = {}
        return action
