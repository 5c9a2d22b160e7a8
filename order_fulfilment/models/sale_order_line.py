from odoo import models


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "fulfilment.review.line.mixin"]
    # Reviews: a line added, removed or changed cancels the quotation's sign-offs.
    _review_parent_field = "order_id"

    # ------------------------------------------------------------------
    # Rush orders
    # ------------------------------------------------------------------
    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        res = super()._action_launch_stock_rule(previous_product_uom_qty=previous_product_uom_qty)
        if self.env.context.get("skip_procurement"):
            # Nothing was procured (sale_stock returned at once): no new MO to link.
            return res
        # The MOs now exist, sub-assemblies included (linked to their order from their creation,
        # stock_rule.py): give rush orders priority.
        self.order_id.filtered(lambda o: o.state == "sale" and o.is_rush)._fulfilment_sync_rush()
        return res
