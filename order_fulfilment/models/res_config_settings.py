from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    fulfilment_cutoff_hour = fields.Float(related="company_id.fulfilment_cutoff_hour", readonly=False)
    fulfilment_rush_lead_days = fields.Integer(related="company_id.fulfilment_rush_lead_days", readonly=False)
    fulfilment_standard_lead_days = fields.Integer(
        related="company_id.fulfilment_standard_lead_days", readonly=False
    )
    fulfilment_commit_promise = fields.Boolean(related="company_id.fulfilment_commit_promise", readonly=False)
    fulfilment_expedite_days = fields.Integer(related="company_id.fulfilment_expedite_days", readonly=False)
    fulfilment_change_response_minutes = fields.Integer(
        related="company_id.fulfilment_change_response_minutes", readonly=False
    )
    fulfilment_started_change_policy = fields.Selection(
        related="company_id.fulfilment_started_change_policy", readonly=False
    )
    aftersales_assign_minutes = fields.Integer(related="company_id.aftersales_assign_minutes", readonly=False)
    aftersales_contact_minutes = fields.Integer(
        related="company_id.aftersales_contact_minutes", readonly=False
    )
    fulfilment_sla_use_calendar = fields.Boolean(
        related="company_id.fulfilment_sla_use_calendar", readonly=False
    )
    # Release and delivery controls
    fulfilment_pod_days = fields.Integer(related="company_id.fulfilment_pod_days", readonly=False)
    fulfilment_require_short_consent = fields.Boolean(
        related="company_id.fulfilment_require_short_consent", readonly=False
    )
