from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero, format_datetime

from ..tools.checks import raise_if_any
from ..tools.escalation import escalate_once
from ..tools.orm import lock_rows

CHANGE_TYPES = [
    ("quantity", "Quantity Change"),
    ("price", "Price Change"),
    ("product", "Product Change"),
    ("date", "Delivery Date Change"),
    ("cancel", "Cancel Order"),
]
STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("applied", "Applied"),
    ("cancelled", "Cancelled"),
]
LINE_TYPES = ("quantity", "price", "product")
STARTED_MO_STATES = ("progress", "to_close", "done")
UNSTARTED_MO_STATES = ("draft", "confirmed")
# Written only by the request's own methods (through sudo), never by a client.
PROTECTED_FIELDS = {
    "state",
    "name",
    "user_id",
    "response_deadline",
    "response_escalated",
    "submitted_date",
    "applied_date",
    "applied_by_id",
    "change_summary",
    "review_state",
    "review_round",
    "review_requested_by_id",
    "review_requested_date",
}
# What the reviewers sign: fixed once the request is submitted.
CONTENT_FIELDS = {
    "order_id",
    "change_type",
    "reason",
    "new_commitment_date",
    "line_ids",
    "customer_document_ids",
}


class FulfilmentChangeRequest(models.Model):
    """A change of a confirmed order (变更申请): impact, approval, then one-shot apply."""

    _name = "fulfilment.change.request"
    _description = "Order Change Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "fulfilment.review.mixin"]
    _review_applies_to = "change_request"
    _review_open_states = ("draft",)
    _order = "id desc"

    name = fields.Char(
        "Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
        index="trigram",
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        domain="[('state', '=', 'sale')]",
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    order_user_id = fields.Many2one(related="order_id.user_id", string="Salesperson")
    user_id = fields.Many2one(
        "res.users", "Requested By", default=lambda self: self.env.user, readonly=True, index=True
    )
    change_type = fields.Selection(CHANGE_TYPES, required=True, default="quantity", tracking=True)
    reason = fields.Text(required=True, help="Why the order changes (the customer's words, or ours).")
    customer_document_ids = fields.Many2many(
        "ir.attachment",
        "fulfilment_change_request_attachment_rel",
        "request_id",
        "attachment_id",
        string="Customer's Written Request",
        help="Required to change the delivery date or cancel the order.",
    )
    old_commitment_date = fields.Datetime("Current Delivery Date", readonly=True)
    new_commitment_date = fields.Datetime("New Delivery Date")
    line_ids = fields.One2many("fulfilment.change.request.line", "request_id", "Lines", copy=True)
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, index=True, tracking=True)
    submitted_date = fields.Datetime(readonly=True, copy=False)
    response_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    response_escalated = fields.Boolean(readonly=True, copy=False)
    applied_date = fields.Datetime(readonly=True, copy=False)
    applied_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    change_summary = fields.Html("Applied Changes", readonly=True, copy=False, sanitize=True)

    is_overdue = fields.Boolean("Overdue", compute="_compute_is_overdue", search="_search_is_overdue")
    can_decide = fields.Boolean("To Approve", compute="_compute_can_decide", search="_search_can_decide")

    # ------------------------------------------------------------------
    # Review hooks
    # ------------------------------------------------------------------
    def _review_order(self):
        return self.order_id

    def _review_change_type(self):
        return self.change_type

    def _review_self_review_users(self):
        """The requester and the order's salesperson."""
        return {request.id: request.user_id | request.order_id.user_id for request in self.sudo()}

    @api.model
    def _review_state_depends(self):
        return ["company_id", "state", "change_type", "order_id"]

    def _review_on_approved(self):
        self.sudo().write({"state": "approved"})
        self._fulfilment_todo(
            "user_id", lambda request: request.env._("Change approved: apply it to the order")
        )

    def _review_on_rejected(self):
        self.sudo().write({"state": "rejected"})
        self._fulfilment_todo(
            "user_id",
            lambda request: request.env._("Change rejected"),
            note=lambda request: request.review_rejection,
        )

    # ------------------------------------------------------------------
    # Computed
    # ------------------------------------------------------------------
    @api.depends("state", "response_deadline")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for request in self:
            request.is_overdue = (
                request.state == "submitted" and request.response_deadline and request.response_deadline < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Overdue'."))
        domain = [("state", "=", "submitted"), ("response_deadline", "<", fields.Datetime.now())]
        if (operator == "=") == value:
            return domain
        return ["!", "&", *domain]

    @api.depends("review_ids.state", "review_ids.approval_count", "review_ids.forward_user_ids")
    @api.depends_context("uid")
    def _compute_can_decide(self):
        for request in self:
            request.can_decide = request.review_can_decide

    def _search_can_decide(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'To Approve'."))
        # The reviews' own search: department, pending, and the self-review ban.
        reviews = (
            self.env["fulfilment.review"]
            .sudo()
            .search([("res_model", "=", self._name), ("can_decide", "=", True)])
        )
        ids = list(set(reviews.mapped("res_id")))
        return [("id", "in" if (operator == "=") == value else "not in", ids)]

    # ------------------------------------------------------------------
    # Form helpers
    # ------------------------------------------------------------------
    @api.onchange("order_id", "change_type")
    def _onchange_fill_lines(self):
        if self.state != "draft":
            return
        self.old_commitment_date = self.order_id.commitment_date
        if self.change_type in LINE_TYPES and self.order_id:
            values = self.env["fulfilment.change.request.line"]._values_from_sale_lines(
                self.order_id.order_line
            )
            self.line_ids = [Command.clear()] + [Command.create(v) for v in values]
        else:
            self.line_ids = [Command.clear()]
        if self.change_type == "date" and not self.new_commitment_date:
            self.new_commitment_date = self.order_id.commitment_date

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # Context defaults open no way around the protected fields.
            context = {
                key: value
                for key, value in self.env.context.items()
                if not (key.startswith("default_") and key[8:] in PROTECTED_FIELDS)
            }
            self = self.with_context(context)  # noqa: PLW0642  # pylint: disable=context-overridden
        for vals in vals_list:
            if not self.env.su and (
                vals.get("state", "draft") != "draft" or set(vals) & (PROTECTED_FIELDS - {"name", "state"})
            ):
                raise AccessError(
                    self.env._("A change request starts as a draft; its status follows submit and approval.")
                )
            vals.pop("state", None)
            order = self.env["sale.order"].browse(vals.get("order_id"))
            company = order.company_id or self.env.company
            vals["name"] = self.env["ir.sequence"].with_company(company).sudo().next_by_code(
                "fulfilment.change.request"
            ) or self.env._("New")
            vals.setdefault("old_commitment_date", order.commitment_date)
        requests = super().create(vals_list)
        for request in requests:
            if request.order_id.state != "sale":
                raise UserError(
                    self.env._(
                        "%(order)s is not a confirmed order: change the quotation itself instead of "
                        "requesting a change.",
                        order=request.order_id.display_name,
                    )
                )
        to_fill = requests.filtered(lambda r: r.change_type in LINE_TYPES and not r.line_ids)
        line_values = []
        for request in to_fill:
            for values in self.env["fulfilment.change.request.line"]._values_from_sale_lines(
                request.order_id.order_line
            ):
                line_values.append({**values, "request_id": request.id})
        if line_values:
            self.env["fulfilment.change.request.line"].create(line_values)
        return requests

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")
            if set(vals) & PROTECTED_FIELDS:
                raise AccessError(
                    self.env._(
                        "The status of a change request changes only through Submit, the reviews, Apply and "
                        "Cancel."
                    )
                )
            if set(vals) & CONTENT_FIELDS:
                self._check_editable()
            if vals.get("order_id"):
                # A request moves only to an order its author may change (same company, own orders).
                self.env["sale.order"].browse(vals["order_id"]).check_access("write")
        return super().write(vals)

    def unlink(self):
        # Who may not delete at all is told so, whatever the state.
        self.check_access("unlink")
        raise_if_any(
            self.filtered(lambda r: r.state not in ("draft", "cancelled")),
            lambda requests: self.env._(
                "%(requests)s: only draft or cancelled change requests can be deleted; cancel it instead.",
                requests=requests,
            ),
        )
        return super().unlink()

    def _check_editable(self):
        raise_if_any(
            self.filtered(lambda r: r.state != "draft"),
            lambda requests: self.env._(
                "%(requests)s was submitted: its content is what the reviewers sign and cannot change. "
                "Cancel it and create a new change request.",
                requests=requests,
            ),
        )

    # ------------------------------------------------------------------
    # Submit
    # ------------------------------------------------------------------
    def _check_lines_current(self):
        """The order lines still hold the values the request started from."""
        qty_digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        for line in self.line_ids.filtered("is_changed"):
            sale_line = line.sale_line_id
            if (
                float_compare(sale_line.product_uom_qty, line.old_qty, precision_digits=qty_digits)
                or float_compare(sale_line.price_unit, line.old_price_unit, precision_digits=price_digits)
                or sale_line.product_id != line.old_product_id
            ):
                raise UserError(
                    self.env._(
                        "%(request)s: the order line %(line)s changed since the request was made. "
                        "Cancel this request and create a new one.",
                        request=line.request_id.display_name,
                        line=sale_line.display_name,
                    )
                )

    def _submit_problems(self):
        """Refuse what cannot be changed; return {request id: extra reviews} for the policy re_review."""
        extra = {}
        for request in self:
            request._check_submit_request()
            if request.change_type not in LINE_TYPES:
                continue
            changed = request.line_ids.filtered("is_changed")
            if not changed:
                raise UserError(
                    self.env._(
                        "%(request)s: no line changes. Enter the new values of the lines that change.",
                        request=request.display_name,
                    )
                )
            request._check_lines_current()
            request._check_submit_lines(changed)
            reviews = request._check_submit_started(changed)
            if reviews:
                extra[request.id] = reviews
        return extra

    def _check_submit_request(self):
        self.ensure_one()
        name = self.display_name
        if self.state != "draft":
            raise UserError(self.env._("%(request)s was already submitted.", request=name))
        if self.order_id.state != "sale":
            raise UserError(
                self.env._(
                    "%(request)s: the order %(order)s is no longer confirmed; cancel the request.",
                    request=name,
                    order=self.order_id.display_name,
                )
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("%(request)s: write the reason of the change.", request=name))
        if self.change_type in ("date", "cancel") and not self.customer_document_ids:
            raise UserError(
                self.env._(
                    "%(request)s: attach the customer's written request (letter, e-mail or fax) before "
                    "submitting a delivery date change or a cancellation.",
                    request=name,
                )
            )
        if self.change_type == "date":
            if not self.new_commitment_date:
                raise UserError(self.env._("%(request)s: set the new delivery date.", request=name))
            if self.new_commitment_date < fields.Datetime.now():
                raise UserError(
                    self.env._(
                        "%(request)s: the new delivery date %(date)s is in the past; choose a date to come.",
                        request=name,
                        date=self._format_date(self.new_commitment_date),
                    )
                )
            if self.new_commitment_date == self.order_id.commitment_date:
                raise UserError(
                    self.env._(
                        "%(request)s: the new delivery date is the current one; nothing changes.",
                        request=name,
                    )
                )
        if self.change_type == "cancel":
            raise_if_any(
                self.order_id.picking_ids.filtered(
                    lambda p: p.state == "done" and p.picking_type_code == "outgoing"
                ),
                lambda pickings: self.env._(
                    "%(request)s: %(pickings)s was already delivered, so the order cannot be "
                    "cancelled. Use a return instead, then change the quantities.",
                    request=name,
                    pickings=pickings,
                ),
                field="name",
            )

    def _check_submit_lines(self, changed):
        self.ensure_one()
        qty_digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        for line in changed:
            product = line.sale_line_id.product_id.display_name
            if (
                self.change_type == "quantity"
                and float_compare(line.new_qty, 0.0, precision_digits=qty_digits) < 0
            ):
                raise UserError(
                    self.env._(
                        "%(request)s: the quantity of %(product)s cannot be negative.",
                        request=self.display_name,
                        product=product,
                    )
                )
            if (
                self.change_type == "quantity"
                and float_compare(line.new_qty, line.qty_delivered, precision_digits=qty_digits) < 0
            ):
                raise UserError(
                    self.env._(
                        "%(request)s: %(delivered)s of %(product)s were already delivered; the quantity "
                        "cannot go below that. Create a return for the delivered goods instead.",
                        request=self.display_name,
                        delivered=line.qty_delivered,
                        product=product,
                    )
                )
            if self.change_type == "price" and line.new_price_unit < 0:
                raise UserError(
                    self.env._(
                        "%(request)s: the price of %(product)s cannot be negative.",
                        request=self.display_name,
                        product=product,
                    )
                )
            # Read as superuser: a product of another company is not readable, and is refused here.
            new_product = line.new_product_id.sudo()
            if self.change_type == "product" and not (
                new_product.active
                and new_product.sale_ok
                and (not new_product.company_id or new_product.company_id == self.company_id)
            ):
                raise UserError(
                    self.env._(
                        "%(request)s: %(new)s is archived, cannot be sold or belongs to another company; "
                        "choose another product to replace %(product)s.",
                        request=self.display_name,
                        product=product,
                        new=new_product.display_name,
                    )
                )
            if self.change_type == "product" and not float_is_zero(
                line.qty_delivered, precision_digits=qty_digits
            ):
                raise UserError(
                    self.env._(
                        "%(request)s: %(product)s was already (partly) delivered, so it cannot be "
                        "replaced. Create a return, then change the quantity instead.",
                        request=self.display_name,
                        product=product,
                    )
                )

    def _check_submit_started(self, changed):
        """Production started on a changed line: refuse (policy block) or ask production (re_review)."""
        self.ensure_one()
        started = changed.filtered("production_started")
        if self.change_type not in ("quantity", "product") or not started:
            return []
        products = ", ".join(started.sale_line_id.product_id.mapped("display_name"))
        if self.company_id.fulfilment_started_change_policy == "re_review":
            group = self.env.ref("order_fulfilment.group_review_production")
            reasons = [["production_started", {"product_ids": started.sale_line_id.product_id.ids}]]
            return [(group, 5, reasons)]
        raise UserError(
            self.env._(
                "%(request)s: production of %(products)s has already started, so its quantity or product "
                "cannot change. Agree another solution with the customer, or ask the fulfilment manager to "
                "allow a production review of such changes.",
                request=self.display_name,
                products=products,
            )
        )

    def action_submit(self):
        self.check_access("write")
        self.order_id.check_access("read")
        extra = self._submit_problems()
        requested = self._review_request(extra=extra)
        now = fields.Datetime.now()
        for company, requests in (requested.sudo()).grouped("company_id").items():
            requests.write(
                {
                    "state": "submitted",
                    "submitted_date": now,
                    "response_deadline": now
                    + timedelta(minutes=company.fulfilment_change_response_minutes or 30),
                }
            )
        direct = (self - requested).sudo()
        if direct:
            direct.write({"state": "submitted", "submitted_date": now})
            direct._fulfilment_log(
                lambda request: request.env._("No review rule applies: the change is approved.")
            )
            direct._review_on_approved()
        return True

    # ------------------------------------------------------------------
    # Cancel
    # ------------------------------------------------------------------
    def action_cancel(self):
        self.check_access("write")
        self._lock_rows()
        is_manager = self.env.user.has_group("sales_team.group_sale_manager")
        for request in self:
            if request.state not in ("draft", "submitted", "approved"):
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s and cannot be cancelled.",
                        request=request.display_name,
                        state=dict(request._fields["state"]._description_selection(self.env))[request.state],
                    )
                )
            if not (self.env.su or is_manager or request.user_id == self.env.user):
                raise AccessError(
                    self.env._(
                        "Only the requester or a sales manager can cancel %(request)s.",
                        request=request.display_name,
                    )
                )
        self.sudo().write({"state": "cancelled"})
        self._review_cancel()
        self.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        self._fulfilment_log(lambda request: request.env._("Change request cancelled."))
        return True

    def _lock_rows(self):
        lock_rows(self)

    def _format_date(self, value):
        return format_datetime(self.env, value) if value else "-"

    # ------------------------------------------------------------------
    # Escalation and printing
    # ------------------------------------------------------------------
    def _escalate_response(self):
        """Run by the automation rule once the response time of a submitted request has passed:
        the sales directors are told once (``escalate_once``)."""

        def overdue(request):
            return request.env._(
                "Change request %(request)s has had no answer since %(deadline)s.",
                request=request.name,
                deadline=fields.Datetime.to_string(request.response_deadline),
            )

        escalate_once(
            self,
            "response_escalated",
            [("state", "=", "submitted"), ("response_deadline", "<", fields.Datetime.now())],
            self.env.ref("order_fulfilment.group_sales_director").users,
            overdue,
            lambda request: request.env._("Overdue change request: %(request)s", request=request.name),
            post_on=lambda request: [request.order_id, request],
        )

    def action_print(self):
        return self.env.ref("order_fulfilment.fulfilment_change_request_report_action").report_action(self)
