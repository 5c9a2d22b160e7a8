from odoo import models


class MrpProduction(models.Model):
    """An MO closed or cancelled after its order's last delivery may complete the order."""

    _inherit = "mrp.production"

    def _action_cancel(self):
        res = super()._action_cancel()
        self.env["sale.order"]._fulfilment_completion_touch(productions=self)
        return res

    def button_mark_done(self):
        res = super().button_mark_done()
        self.env["sale.order"]._fulfilment_completion_touch(
            productions=self.filtered(lambda mo: mo.state == "done")
        )
        return res
