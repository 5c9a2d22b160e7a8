from odoo import models


class FulfilmentReviewMixin(models.AbstractModel):
    _name = "fulfilment.review.mixin"
    _description = "Fulfilment Review Mixin"
