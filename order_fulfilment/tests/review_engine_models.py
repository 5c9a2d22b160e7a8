"""A document that is not a sale order, reviewed by the review engine (tests only)."""

from odoo import fields, models


class ReviewedDocument(models.Model):
    _name = "fulfilment.test.document"
    _description = "Reviewed Test Document"
    _inherit = ["mail.thread", "fulfilment.review.mixin"]
    _review_applies_to = "test_document"
    _review_open_states = ("draft",)
    _review_gate_states = ("done",)
    _review_watched_fields = {"amount": None, "line_ids": ("quantity",)}

    name = fields.Char()
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users")
    amount = fields.Float()
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    line_ids = fields.One2many("fulfilment.test.document.line", "document_id")


class ReviewedDocumentLine(models.Model):
    _name = "fulfilment.test.document.line"
    _description = "Reviewed Test Document Line"
    _inherit = ["fulfilment.review.line.mixin"]
    _review_parent_field = "document_id"

    document_id = fields.Many2one("fulfilment.test.document", ondelete="cascade")
    quantity = fields.Float()


class ReviewRule(models.Model):
    _inherit = "fulfilment.review.rule"

    applies_to = fields.Selection(
        selection_add=[("test_document", "Test Documents")], ondelete={"test_document": "cascade"}
    )
