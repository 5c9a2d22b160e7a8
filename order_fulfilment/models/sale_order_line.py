from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------------
    # Reviews
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Rush orders
    # ------------------------------------------------------------------
    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        res = super()._action_launch_stock_rule(previous_product_uom_qty=previous_product_uom_qty)
        # The MOs now exist, sub-assemblies included: link them and give rush orders priority.
        orders = self.order_id.filtered(lambda o: o.state == "sale")
        orders._fulfilment_link_productions()
        orders.filtered("is_rush")._fulfilment_sync_rush()
        return res
