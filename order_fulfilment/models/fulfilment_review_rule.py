from odoo import models


class FulfilmentReviewRule(models.Model):
    _name = "fulfilment.review.rule"
    _description = "Review Rule"
