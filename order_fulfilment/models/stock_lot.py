"""Serials and lots: the warranty (保修) from the first delivery, and the service history.

The warranty of a serial or lot ends its product's warranty months after its first delivery to
a customer (the date of the first done move line into a customer location). That date is
refreshed for all the lots of a delivery at once when the delivery is done (``stock.move``
below), with one query for the whole batch.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

AFTERSALES = "order_fulfilment.group_aftersales_user"
# The service history of a serial: computed together, for the after-sales team only.
HISTORY = {"compute": "_compute_fulfilment_history", "groups": AFTERSALES}


class StockLot(models.Model):
    _inherit = "stock.lot"

    fulfilment_first_delivery_date = fields.Datetime(
        "First Delivered On",
        store=True,
        compute="_compute_fulfilment_first_delivery_date",
        help="When this serial or lot was first delivered to a customer: its warranty starts then.",
    )
    fulfilment_warranty_end = fields.Date(
        "Warranty End",
        store=True,
        compute="_compute_fulfilment_warranty_end",
        help="The first delivery to a customer plus the product's warranty months. Empty while the "
        "serial was never delivered or the product has no warranty.",
    )
    fulfilment_ticket_ids = fields.One2many(
        "fulfilment.ticket", "lot_id", "After-sales Tickets", groups=AFTERSALES
    )
    fulfilment_return_ids = fields.Many2many("stock.picking", string="Returns", **HISTORY)
    fulfilment_replacement_ids = fields.Many2many("sale.order", string="Replacements", **HISTORY)
    fulfilment_repair_ids = fields.Many2many("repair.order", string="Repairs", **HISTORY)
    fulfilment_ticket_count = fields.Integer("Tickets", **HISTORY)
    fulfilment_return_count = fields.Integer("Return Count", **HISTORY)
    fulfilment_replacement_count = fields.Integer("Replacement Count", **HISTORY)
    fulfilment_repair_count = fields.Integer("Repair Count", **HISTORY)

    # ------------------------------------------------------------------
    # Warranty
    # ------------------------------------------------------------------
    def _fulfilment_first_deliveries(self):
        """{lot id: the date of its first done move line into a customer location}, in one query."""
        lots = self.filtered("id")
        if not lots:
            return {}
        groups = (
            self.env["stock.move.line"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("location_id.usage", "!=", "customer"),
                ],
                ["lot_id"],
                ["date:min"],
            )
        )
        return {lot.id: date for lot, date in groups}

    def _compute_fulfilment_first_delivery_date(self):
        # No dependencies: computed when the lot is created (and at install for the existing
        # lots, in one query); deliveries refresh it (fulfilment_refresh_first_delivery).
        dates = self._fulfilment_first_deliveries()
        for lot in self:
            lot.fulfilment_first_delivery_date = dates.get(lot.id, False)

    @api.depends("fulfilment_first_delivery_date", "product_id.product_tmpl_id.fulfilment_warranty_months")
    def _compute_fulfilment_warranty_end(self):
        for lot in self:
            months = lot.product_id.product_tmpl_id.fulfilment_warranty_months
            start = lot.fulfilment_first_delivery_date
            lot.fulfilment_warranty_end = (
                fields.Date.to_date(start) + relativedelta(months=months) if start and months > 0 else False
            )

    def fulfilment_refresh_first_delivery(self):
        """Read the first delivery of these lots again and write the dates that changed, one write
        per distinct date (their warranty end and the tickets' warranty follow)."""
        dates = self._fulfilment_first_deliveries()
        changed = {}
        for lot in self.sudo():
            date = dates.get(lot.id, False)
            if lot.fulfilment_first_delivery_date != date:
                changed.setdefault(date, self.env["stock.lot"].sudo())
                changed[date] |= lot
        for date, lots in changed.items():
            lots.write({"fulfilment_first_delivery_date": date})
        return True

    def write(self, vals):
        protected = {"fulfilment_first_delivery_date", "fulfilment_warranty_end"}.intersection(vals)
        if protected and not self.env.su:
            raise UserError(
                self.env._(
                    "Lots %(lots)s: the first delivery and the warranty end follow the deliveries; "
                    "they cannot be written.",
                    lots=", ".join(self.mapped("name")),
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Service history
    # ------------------------------------------------------------------
    def _compute_fulfilment_history(self):
        """Every ticket, return, replacement and repair of each serial: a query per kind of
        document for all the lots at once."""
        lots = self.filtered("id")
        Ticket = self.env["fulfilment.ticket"].sudo()
        Picking = self.env["stock.picking"].sudo()
        Repair = self.env["repair.order"].sudo()
        tickets, returns, repairs = Ticket, Picking, Repair
        if lots:
            tickets = Ticket.search([("lot_id", "in", lots.ids)])
            returns = Picking.search([("return_id", "!=", False), ("move_line_ids.lot_id", "in", lots.ids)])
            repairs = Repair.search([("lot_id", "in", lots.ids)])
        for lot in self:
            lot_tickets = tickets.filtered(lambda t, lot=lot: t.lot_id == lot._origin)
            lot_returns = returns.filtered(lambda p, lot=lot: lot._origin in p.move_line_ids.lot_id)
            lot_returns |= lot_tickets.return_picking_ids
            lot_repairs = repairs.filtered(lambda r, lot=lot: r.lot_id == lot._origin) | lot_tickets.repair_id
            lot.fulfilment_ticket_count = len(lot_tickets)
            lot.fulfilment_return_ids = lot_returns
            lot.fulfilment_return_count = len(lot_returns)
            lot.fulfilment_replacement_ids = lot_tickets.replacement_order_id
            lot.fulfilment_replacement_count = len(lot_tickets.replacement_order_id)
            lot.fulfilment_repair_ids = lot_repairs
            lot.fulfilment_repair_count = len(lot_repairs)

    def _fulfilment_history_action(self, xmlid, records, name):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(
            {
                "name": name,
                "domain": [("id", "in", records.ids)],
                "context": {},
            }
        )
        return action

    def action_view_fulfilment_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_ticket_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {
            "default_lot_id": self.id,
            "default_product_id": self.product_id.id,
            "default_company_id": (self.company_id or self.env.company).id,
        }
        return action

    def action_view_fulfilment_returns(self):
        return self._fulfilment_history_action(
            "stock.action_picking_tree_all",
            self.fulfilment_return_ids,
            self.env._("Returns of %(lot)s", lot=self.name),
        )

    def action_view_fulfilment_replacements(self):
        return self._fulfilment_history_action(
            "sale.action_orders",
            self.fulfilment_replacement_ids,
            self.env._("Replacements of %(lot)s", lot=self.name),
        )

    def action_view_fulfilment_repairs(self):
        return self._fulfilment_history_action(
            "repair.action_repair_order_tree",
            self.fulfilment_repair_ids,
            self.env._("Repairs of %(lot)s", lot=self.name),
        )


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # The serials just delivered to a customer: their warranty starts with their first delivery.
        delivered = moves.move_line_ids.filtered(
            lambda line: (
                line.lot_id
                and line.location_dest_id.usage == "customer"
                and line.location_id.usage != "customer"
            )
        )
        if delivered:
            delivered.lot_id.fulfilment_refresh_first_delivery()
        return moves
