from odoo import api, fields, models

DISPOSITIONS = [
    ("rework", "Rework"),
    ("scrap", "Scrap"),
    ("concession", "Concession"),
    ("return_supplier", "Return to Supplier"),
    ("sort", "Sort"),
]
NC_STATES = [("open", "Open"), ("decided", "Decided"), ("closed", "Closed")]


class FulfilmentNonconformity(models.Model):
    """Nonconforming goods (不合格品): opened by a failed inspection or a customer complaint,
    classified by a disposition and followed up until closed."""

    _name = "fulfilment.nonconformity"
    _description = "Nonconformity"
    _inherit = ["mail.thread", "mail.activity.mixin", "fulfilment.review.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _review_applies_to = "nonconformity"
    _review_open_states = ("open",)
    _review_gate_states = ("decided", "closed")
    _review_watched_fields = {"disposition": None, "qty": None}

    name = fields.Char("Reference", required=True, readonly=True, copy=False, index="trigram", default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    check_id = fields.Many2one(
        "fulfilment.quality.check",
        "Inspection",
        index="btree_not_null",
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    ticket_id = fields.Many2one(
        "fulfilment.ticket", "After-sales Ticket", index="btree_not_null", readonly=True, check_company=True
    )
    product_id = fields.Many2one("product.product", required=True, index=True, check_company=True)
    product_categ_id = fields.Many2one(related="product_id.categ_id", string="Product Category", store=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial", index="btree_not_null", check_company=True)
    qty = fields.Float("Quantity", digits="Product Unit of Measure", tracking=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    production_id = fields.Many2one(
        "mrp.production", "Manufacturing Order", index="btree_not_null", check_company=True
    )
    picking_id = fields.Many2one(
        "stock.picking",
        "Transfer",
        index="btree_not_null",
        check_company=True,
        help="The receipt (for a return to the supplier) or the delivery the goods came with.",
    )
    order_id = fields.Many2one("sale.order", "Sale Order", index="btree_not_null", check_company=True)
    partner_id = fields.Many2one("res.partner", "Supplier / Customer", index="btree_not_null")
    operation = fields.Selection(related="check_id.operation", store=True)
    description = fields.Text("Defect")
    serious_defect = fields.Boolean(tracking=True)
    user_id = fields.Many2one(
        "res.users",
        "Inspector",
        index=True,
        default=lambda self: self.env.user,
        tracking=True,
        help="Who opened the nonconformity; may not sign its concession.",
    )
    disposition = fields.Selection(DISPOSITIONS, tracking=True, index=True)
    disposition_note = fields.Text("Decision Notes")
    state = fields.Selection(
        NC_STATES, required=True, default="open", readonly=True, index=True, tracking=True
    )
    decided_date = fields.Datetime(readonly=True, copy=False)
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False)
    scrap_id = fields.Many2one("stock.scrap", "Scrap Order", readonly=True, copy=False, check_company=True)
    return_picking_id = fields.Many2one(
        "stock.picking", "Return to Supplier", readonly=True, copy=False, check_company=True
    )
    # The escalation clock (seed 002 二(二)5): the inspector classifies within 20 minutes,
    # then the department head has 30 minutes, then the general manager is told.
    classify_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    head_deadline = fields.Datetime("Department Head Deadline", readonly=True, copy=False, index=True)
    escalated_head = fields.Boolean("Escalated to the Department Head", readonly=True, copy=False)
    escalated_manager = fields.Boolean("Escalated to the General Manager", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        Sequence = self.env["ir.sequence"].sudo()
        now = fields.Datetime.now()
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("name", "/") == "/":
                vals["name"] = Sequence.with_company(company).next_by_code("fulfilment.nonconformity") or "/"
            classify = now + company._fulfilment_quality_delta("classify")
            vals.setdefault("classify_deadline", classify)
            vals.setdefault("head_deadline", classify + company._fulfilment_quality_delta("head"))
        return super().create(vals_list)


class FulfilmentReviewRule(models.Model):
    _inherit = "fulfilment.review.rule"

    applies_to = fields.Selection(
        selection_add=[("nonconformity", "Nonconformities")], ondelete={"nonconformity": "cascade"}
    )
