from odoo import models


class FulfilmentQualityCheck(models.Model):
    """An inspection finished after its order shipped may complete the order (订单完成)."""

    _inherit = "fulfilment.quality.check"

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            self.env["sale.order"]._fulfilment_completion_touch(
                productions=self.production_id, pickings=self.picking_id
            )
        return res


class FulfilmentNonconformity(models.Model):
    """A disposition decided after the order shipped may complete the order."""

    _inherit = "fulfilment.nonconformity"

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            checks = self.check_id
            self.env["sale.order"]._fulfilment_completion_touch(
                productions=checks.production_id | self.production_id,
                pickings=checks.picking_id | self.picking_id,
            )
        return res
