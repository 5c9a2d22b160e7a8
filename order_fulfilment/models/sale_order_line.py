from odoo import api, models

# Changes of these make the reviews of a quotation obsolete.
REVIEWED_LINE_FIELDS = ("product_id", "product_uom_qty", "price_unit", "discount")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------------
    # Reviews
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        orders = lines.filtered(lambda line: not line.display_type).order_id._review_under_review()
        if orders:
            orders._review_invalidate(lambda env: env._("a line was added after the review was requested"))
        return lines

    def write(self, vals):
        orders = self.order_id._review_under_review() if set(vals) & set(REVIEWED_LINE_FIELDS) else None
        before = orders._review_snapshot() if orders else {}
        result = super().write(vals)
        if orders:
            orders._review_invalidate_changed(before)
        return result

    def unlink(self):
        orders = self.filtered(lambda line: not line.display_type).order_id._review_under_review()
        result = super().unlink()
        if orders:
            orders.exists()._review_invalidate(
                lambda env: env._("a line was removed after the review was requested")
            )
        return result

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
