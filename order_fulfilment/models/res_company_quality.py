from datetime import timedelta

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    fulfilment_quality_gate = fields.Boolean(
        "Quality Gate",
        default=True,
        help="Goods not yet inspected, or failed with no disposition decided, cannot leave the company, "
        "and failed purchased goods cannot be used in production.",
    )
    fulfilment_quality_classify_minutes = fields.Integer(
        "Nonconformity Classify Time (Minutes)",
        default=20,
        aggregator=False,
        help="The inspector classifies a nonconformity within this time; then the quality managers are told.",
    )
    fulfilment_quality_head_minutes = fields.Integer(
        "Nonconformity Head Time (Minutes)",
        default=30,
        aggregator=False,
        help="After the classify time, the department head has this time to decide; then the general "
        "manager is told.",
    )
    fulfilment_quality_min_pass_rate = fields.Float(
        "Minimum Lot Pass Rate (%)",
        default=95.0,
        aggregator=False,
        help="A purchased lot inspected under this pass rate is reported at once to the quality and "
        "purchasing managers.",
    )

    def _fulfilment_quality_delta(self, step):
        self.ensure_one()
        minutes = (
            self.fulfilment_quality_classify_minutes
            if step == "classify"
            else self.fulfilment_quality_head_minutes
        )
        return timedelta(minutes=max(minutes, 0))
