from odoo import models


class StockRule(models.Model):
    """Manufacturing orders know the sale order they are made for from their creation.

    The order of the sale line (set by sale_mrp on the orders made for a line), else the order
    of the manufacturing order that consumes the sub-assembly, else the order of the
    procurement group. Rush orders, the at-risk link, order completion and change requests read
    ``fulfilment_sale_id``; setting it here spares a write on every new order afterwards.
    """

    _inherit = "stock.rule"

    def _prepare_mo_vals(
        self, product_id, product_qty, product_uom, location_dest_id, name, origin, company_id, values, bom
    ):
        vals = super()._prepare_mo_vals(
            product_id, product_qty, product_uom, location_dest_id, name, origin, company_id, values, bom
        )
        # As superuser: the procurement may run for a user who reads neither the order nor the
        # manufacturing orders (a salesperson confirming, a stock user replenishing).
        order = self.env["sale.order.line"].sudo().browse(vals.get("sale_line_id")).order_id
        if not order and values.get("move_dest_ids"):
            order = values["move_dest_ids"].sudo().raw_material_production_id.fulfilment_sale_id[:1]
        if not order and values.get("group_id"):
            order = values["group_id"].sudo().sale_id
        if order:
            vals["fulfilment_sale_id"] = order.id
        return vals
