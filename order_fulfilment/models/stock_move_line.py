from odoo import api, models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _log_message(self, record, move, template, vals):
        # A change request posts one summary per delivery instead of one message per move.
        if self.env.context.get("fulfilment_change_request_id"):
            return
        return super()._log_message(record, move, template, vals)

    # Delivery figures of the orders (sale_order_release.py): a done quantity edited or added in
    # an unlocked transfer changes what was delivered.
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        self.env["sale.order"]._fulfilment_delivery_touch(lines)
        return lines

    def write(self, vals):
        result = super().write(vals)
        if "quantity" in vals or "move_id" in vals:
            self.env["sale.order"]._fulfilment_delivery_touch(self)
        return result
