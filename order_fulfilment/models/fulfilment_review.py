from odoo import models


class FulfilmentReview(models.Model):
    _name = "fulfilment.review"
    _description = "Review Sign-off"
