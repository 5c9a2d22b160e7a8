from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _log_message(self, record, move, template, vals):
        # A change request posts one summary per delivery instead of one message per move.
        if self.env.context.get("fulfilment_change_request_id"):
            return
        return super()._log_message(record, move, template, vals)
