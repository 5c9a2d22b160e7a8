from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    fulfilment_quality_gate = fields.Boolean(related="company_id.fulfilment_quality_gate", readonly=False)
    fulfilment_quality_classify_minutes = fields.Integer(
        related="company_id.fulfilment_quality_classify_minutes", readonly=False
    )
    fulfilment_quality_head_minutes = fields.Integer(
        related="company_id.fulfilment_quality_head_minutes", readonly=False
    )
    fulfilment_quality_min_pass_rate = fields.Float(
        related="company_id.fulfilment_quality_min_pass_rate", readonly=False
    )
