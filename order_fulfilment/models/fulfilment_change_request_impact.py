from odoo import api, fields, models

from .fulfilment_change_request import LINE_TYPES, STARTED_MO_STATES


class FulfilmentChangeRequest(models.Model):
    """The impact of a change request, shown before anyone approves: the manufacturing orders
    and deliveries it touches, whether production started, and the new amounts."""

    _inherit = "fulfilment.change.request"

    production_started = fields.Boolean(
        compute="_compute_impact",
        compute_sudo=True,
        help="An affected manufacturing order is in progress or done.",
    )
    affected_production_ids = fields.Many2many(
        "mrp.production", string="Manufacturing Orders", compute="_compute_impact", compute_sudo=True
    )
    affected_picking_ids = fields.Many2many(
        "stock.picking", string="Deliveries", compute="_compute_impact", compute_sudo=True
    )
    amount_untaxed = fields.Monetary("Current Untaxed Amount", related="order_id.amount_untaxed")
    amount_total = fields.Monetary("Current Total", related="order_id.amount_total")
    new_amount_untaxed = fields.Monetary("New Untaxed Amount", compute="_compute_new_amounts")
    new_amount_total = fields.Monetary("New Total", compute="_compute_new_amounts")

    def _impact_lines(self):
        """The request lines whose manufacturing orders and deliveries the change touches."""
        self.ensure_one()
        return self.line_ids.filtered("is_changed") or self.line_ids

    @api.depends(
        "order_id", "change_type", "line_ids.sale_line_id", "line_ids.new_qty", "line_ids.new_product_id"
    )
    def _compute_impact(self):
        # The manufacturing orders of every request at once (sale_order_production.py).
        by_line_type = self.filtered(lambda r: r.change_type in ("quantity", "product"))
        sale_lines = self.env["sale.order.line"].union(
            *(request._impact_lines().sale_line_id for request in by_line_type)
        )
        by_line = self.env["sale.order"]._fulfilment_productions_by_line(sale_lines)
        by_order = (self - by_line_type).order_id._fulfilment_productions_by_order()
        Production = self.env["mrp.production"]
        for request in self:
            order = request.order_id.sudo()
            if request in by_line_type:
                lines = request._impact_lines()
                mos = Production.union(*(by_line[line.id] for line in lines.sale_line_id))
                pickings = lines.sale_line_id.move_ids.picking_id
            else:
                mos = by_order.get(order, Production)
                pickings = order.picking_ids
            request.affected_production_ids = mos
            request.affected_picking_ids = pickings.filtered(lambda p: p.picking_type_code == "outgoing")
            request.production_started = any(mo.state in STARTED_MO_STATES for mo in mos)

    @api.depends(
        "order_id.amount_total",
        "change_type",
        "line_ids.new_qty",
        "line_ids.new_price_unit",
        "line_ids.is_changed",
    )
    def _compute_new_amounts(self):
        for request in self:
            order = request.order_id
            untaxed, total = order.amount_untaxed, order.amount_total
            if request.change_type == "cancel":
                untaxed = total = 0.0
            elif request.change_type in LINE_TYPES:
                for line in request.line_ids.filtered("is_changed"):
                    sale_line = line.sale_line_id
                    qty = line.new_qty if request.change_type == "quantity" else sale_line.product_uom_qty
                    price = line.new_price_unit if request.change_type != "quantity" else sale_line.price_unit
                    product = (
                        line.new_product_id if request.change_type == "product" else sale_line.product_id
                    )
                    taxes = sale_line.tax_id.compute_all(
                        price * (1 - (sale_line.discount or 0.0) / 100.0),
                        currency=order.currency_id,
                        quantity=qty,
                        product=product,
                        partner=order.partner_shipping_id,
                    )
                    untaxed += taxes["total_excluded"] - sale_line.price_subtotal
                    total += taxes["total_included"] - sale_line.price_total
            request.new_amount_untaxed = untaxed
            request.new_amount_total = total
