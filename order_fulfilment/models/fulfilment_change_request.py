from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero, float_round, format_datetime

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
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
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
        "res.users", string="Requested By", default=lambda self: self.env.user, readonly=True, index=True
    )
    change_type = fields.Selection(CHANGE_TYPES, required=True, default="quantity", tracking=True)
    reason = fields.Text(required=True, help="Why the order changes (the customer's words, or ours).")
    old_commitment_date = fields.Datetime(string="Current Delivery Date", readonly=True)
    new_commitment_date = fields.Datetime(string="New Delivery Date")
    line_ids = fields.One2many("fulfilment.change.request.line", "request_id", string="Lines", copy=True)
    customer_document_ids = fields.Many2many(
        "ir.attachment",
        "fulfilment_change_request_attachment_rel",
        "request_id",
        "attachment_id",
        string="Customer's Written Request",
        help="Required to change the delivery date or cancel the order.",
    )
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, copy=False, index=True, tracking=True
    )
    submitted_date = fields.Datetime(readonly=True, copy=False)
    response_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    response_escalated = fields.Boolean(readonly=True, copy=False)
    applied_date = fields.Datetime(readonly=True, copy=False)
    applied_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    change_summary = fields.Html(string="Applied Changes", readonly=True, copy=False, sanitize=True)

    # Impact, shown before anyone approves
    production_started = fields.Boolean(
        compute="_compute_impact",
        compute_sudo=True,
        help="An affected manufacturing order is in progress or done.",
    )
    affected_production_ids = fields.Many2many(
        "mrp.production", string="Manufacturing Orders", compute="_compute_impact", compute_sudo=True
    )
    affected_picking_ids = fields.Many2many(
        "stock.picking", string="Deliveries", compute="_compute_impact", compute_sudo=True
    )
    amount_untaxed = fields.Monetary(related="order_id.amount_untaxed", string="Current Untaxed Amount")
    amount_total = fields.Monetary(related="order_id.amount_total", string="Current Total")
    new_amount_untaxed = fields.Monetary(string="New Untaxed Amount", compute="_compute_new_amounts")
    new_amount_total = fields.Monetary(string="New Total", compute="_compute_new_amounts")

    is_overdue = fields.Boolean(string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue")
    can_decide = fields.Boolean(
        string="To Approve", compute="_compute_can_decide", search="_search_can_decide"
    )

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
        for request in self.filtered("user_id"):
            # In the requester's language.
            to_do = request._fulfilment_with_sender(request.user_id.lang)
            to_do.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=request.user_id.id,
                summary=to_do.env._("Change approved: apply it to the order"),
            )

    def _review_on_rejected(self):
        self.sudo().write({"state": "rejected"})
        for request in self.filtered("user_id"):
            to_do = request._fulfilment_with_sender(request.user_id.lang)
            to_do.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=request.user_id.id,
                summary=to_do.env._("Change rejected"),
                note=to_do.review_rejection,
            )

    # ------------------------------------------------------------------
    # Computed
    # ------------------------------------------------------------------
    @api.model
    def _productions_by_line(self, sale_lines):
        """{sale line id: manufacturing orders (with their sub-orders)} for these order lines."""
        sale_lines = sale_lines.sudo().filtered(lambda line: line.id)
        Production = self.env["mrp.production"].sudo()
        result = defaultdict(lambda: Production)
        if not sale_lines:
            return result
        # The MOs made for a line: created by its delivery moves, or linked to it by sale_mrp.
        for move in sale_lines.move_ids.filtered("created_production_id"):
            result[move.sale_line_id.id] |= move.created_production_id
        for mo in Production.search([("sale_line_id", "in", sale_lines.ids)]):
            result[mo.sale_line_id.id] |= mo
        # MOs of a later procurement whose delivery move was merged into an older one: the
        # order's top-level MOs of the product, when only one line of the order sells it.
        for order in sale_lines.order_id:
            order_mos = order.mrp_production_ids
            children = Production.union(*(mo._get_children() for mo in order_mos))
            tops = order_mos - children
            for line in sale_lines.filtered(lambda sl, order=order: sl.order_id == order):
                same_product = order.order_line.filtered(
                    lambda ol, line=line: ol.product_id == line.product_id
                )
                if len(same_product) == 1:
                    result[line.id] |= tops.filtered(lambda mo, line=line: mo.product_id == line.product_id)
        for line_id, mos in list(result.items()):
            for mo in mos:
                result[line_id] |= mo._get_children()
        return result

    @api.depends(
        "order_id", "change_type", "line_ids.sale_line_id", "line_ids.new_qty", "line_ids.new_product_id"
    )
    def _compute_impact(self):
        for request in self:
            order = request.order_id.sudo()
            if request.change_type in ("quantity", "product"):
                lines = request.line_ids.filtered("is_changed") or request.line_ids
                productions = request._productions_by_line(lines.sale_line_id)
                mos = self.env["mrp.production"].union(*productions.values())
                pickings = lines.sale_line_id.move_ids.picking_id
            else:
                mos = order.mrp_production_ids
                mos |= self.env["mrp.production"].union(*(mo._get_children() for mo in mos))
                pickings = order.picking_ids
            request.affected_production_ids = mos
            request.affected_picking_ids = pickings.filtered(lambda p: p.picking_type_code == "outgoing")
            request.production_started = any(mo.state in STARTED_MO_STATES for mo in mos)

    @api.depends(
        "order_id.amount_total",
        "change_type",
        "line_ids.new_qty",
        "line_ids.new_price_unit",
        "line_ids.is_changed",
    )
    def _compute_new_amounts(self):
        for request in self:
            order = request.order_id
            untaxed, total = order.amount_untaxed, order.amount_total
            if request.change_type == "cancel":
                untaxed = total = 0.0
            elif request.change_type in LINE_TYPES:
                for line in request.line_ids.filtered("is_changed"):
                    sale_line = line.sale_line_id
                    qty = line.new_qty if request.change_type == "quantity" else sale_line.product_uom_qty
                    price = line.new_price_unit if request.change_type != "quantity" else sale_line.price_unit
                    product = (
                        line.new_product_id if request.change_type == "product" else sale_line.product_id
                    )
                    taxes = sale_line.tax_id.compute_all(
                        price * (1 - (sale_line.discount or 0.0) / 100.0),
                        currency=order.currency_id,
                        quantity=qty,
                        product=product,
                        partner=order.partner_shipping_id,
                    )
                    untaxed += taxes["total_excluded"] - sale_line.price_subtotal
                    total += taxes["total_included"] - sale_line.price_total
            request.new_amount_untaxed = untaxed
            request.new_amount_total = total

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
        not_draft = self.filtered(lambda r: r.state not in ("draft", "cancelled"))
        if not_draft:
            raise UserError(
                self.env._(
                    "%(requests)s: only draft or cancelled change requests can be deleted; "
                    "cancel it instead.",
                    requests=", ".join(not_draft.mapped("display_name")),
                )
            )
        return super().unlink()

    def _check_editable(self):
        locked = self.filtered(lambda r: r.state != "draft")
        if locked:
            raise UserError(
                self.env._(
                    "%(requests)s was submitted: its content is what the reviewers sign and cannot change. "
                    "Cancel it and create a new change request.",
                    requests=", ".join(locked.mapped("display_name")),
                )
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
            done = self.order_id.picking_ids.filtered(
                lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            )
            if done:
                raise UserError(
                    self.env._(
                        "%(request)s: %(pickings)s was already delivered, so the order cannot be "
                        "cancelled. Use a return instead, then change the quantities.",
                        request=name,
                        pickings=", ".join(done.mapped("name")),
                    )
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
                        new=new_product.display_name,
                        product=product,
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

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------
    def action_apply(self):
        if not self:
            return True
        self.check_access("write")
        for order in self.order_id:
            # Only who may change the order (its salesperson, sales managers) applies changes to it.
            order.check_access("write")
        self._lock_rows()
        for request in self:
            if request.state != "approved":
                raise UserError(
                    self.env._(
                        "%(request)s is %(state)s: only an approved change request can be applied, "
                        "and only once.",
                        request=request.display_name,
                        state=dict(request._fields["state"]._description_selection(self.env))[request.state],
                    )
                )
        # Check every request before applying any, so that a batch is applied whole or not at all.
        for request in self:
            request._check_order_confirmed()
            request._check_lines_current()
        # The same request twice in one call is applied once.
        for request in self.browse(list(dict.fromkeys(self.ids))):
            # The summary is written in the applier's language (an internal note).
            request.sudo()._fulfilment_with_sender()._apply()
        return True

    def _check_order_confirmed(self):
        self.ensure_one()
        if self.order_id.state != "sale":
            raise UserError(
                self.env._(
                    "%(request)s: the order %(order)s is no longer confirmed; cancel the request.",
                    request=self.display_name,
                    order=self.order_id.display_name,
                )
            )

    def _apply(self):
        self.ensure_one()
        order = self.order_id
        self._check_order_confirmed()
        self._check_lines_current()
        was_locked = order.locked
        if was_locked:
            order.locked = False
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        rows, notes = getattr(
            self.with_context(fulfilment_change_request_id=self.id), f"_apply_{self.change_type}"
        )()
        if was_locked and order.state == "sale":
            order.locked = True
        summary = self._summary_html(rows, notes)
        self.write(
            {
                "state": "applied",
                "applied_date": fields.Datetime.now(),
                "applied_by_id": self.env.uid,
                "change_summary": summary,
            }
        )
        title = Markup("<p>%s</p>") % self.env._(
            "Change request %(request)s applied: %(reason)s", request=self.name, reason=self.reason
        )
        order._fulfilment_post(title + summary)
        self._fulfilment_post(title + summary)
        if pickings:
            pickings._fulfilment_log(title + summary)
        self.activity_unlink(["mail.mail_activity_data_todo"])

    def _summary_html(self, rows, notes):
        head = Markup("<tr><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            self.env._("What"),
            self.env._("Before"),
            self.env._("After"),
        )
        body = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % (what, before, after)
            for what, before, after in rows
        )
        html = Markup(
            '<table class="table table-sm table-bordered o_fulfilment_change_summary">%s%s</table>'
        ) % (
            head,
            body,
        )
        if notes:
            html += Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % note for note in notes)
        return html

    def _open_moves(self, sale_line):
        outgoing = sale_line._get_outgoing_incoming_moves(strict=False)[0]
        return outgoing.filtered(lambda m: m.state not in ("done", "cancel"))

    def _resize_productions(self, productions, delta, notes):
        """Change the quantity of these unstarted MOs (newest first) by delta, with their sub-orders.
        Returns the quantity that could not be changed."""
        wizard = self.env["change.production.qty"].with_context(skip_activity=True)
        for mo in productions.sorted("id", reverse=True):
            if float_is_zero(delta, precision_rounding=mo.product_uom_id.rounding):
                break
            if mo.state not in UNSTARTED_MO_STATES:
                continue
            change = max(delta, -mo.product_qty) if delta < 0 else delta
            new_qty = mo.product_qty + change
            children = mo._get_children().filtered(lambda c: c.state in UNSTARTED_MO_STATES)
            if float_is_zero(new_qty, precision_rounding=mo.product_uom_id.rounding):
                (mo | children).action_cancel()
                notes.append(self.env._("%(mo)s cancelled.", mo=mo.name))
            else:
                factor = new_qty / mo.product_qty
                wizard.create({"mo_id": mo.id, "product_qty": new_qty}).change_prod_qty()
                for child in children:
                    child_qty = float_round(
                        child.product_qty * factor, precision_rounding=child.product_uom_id.rounding
                    )
                    wizard.create({"mo_id": child.id, "product_qty": child_qty}).change_prod_qty()
                notes.append(self.env._("%(mo)s resized to %(qty)s.", mo=mo.name, qty=new_qty))
            delta -= change
        return delta

    def _apply_quantity(self):
        rows, notes = [], []
        changed = self.line_ids.filtered("is_changed")
        for line in changed:
            rows.append((line.sale_line_id.product_id.display_name, line.old_qty, line.new_qty))
        # One write per new quantity; the stock side is adjusted below, for all lines at once.
        # The price stays what the approvers saw (no pricelist recomputation on the new quantity).
        for (qty, price), lines in changed.grouped(lambda l: (l.new_qty, l.sale_line_id.price_unit)).items():
            lines.sale_line_id.with_context(skip_procurement=True).write(
                {"product_uom_qty": qty, "price_unit": price}
            )
        increase = changed.filtered(lambda l: l.new_qty > l.old_qty)
        decrease = changed - increase
        if increase:
            self._increase(increase)
        if decrease:
            self._decrease(decrease, notes)
        return rows, notes

    def _increase(self, lines):
        """Raise the demand of a plain delivery from stock directly; anything else (make to order,
        several steps, nothing left to deliver) goes through Odoo's normal procurement."""
        new_demand = {}
        to_procure = self.env["fulfilment.change.request.line"]
        for line in lines:
            sale_line = line.sale_line_id
            moves = self._open_moves(sale_line)
            plain = moves.filtered(lambda m: m.procure_method == "make_to_stock" and not m.move_orig_ids)
            if not moves or plain != moves:
                to_procure |= line
                continue
            move = moves.sorted("id")[-1]
            added = sale_line.product_uom._compute_quantity(line.new_qty - line.old_qty, move.product_uom)
            new_demand[move] = move.product_uom_qty + added
        for qty, moves in self.env["stock.move"].concat(*new_demand).grouped(lambda m: new_demand[m]).items():
            moves.write({"product_uom_qty": qty})
        if to_procure:
            to_procure.sale_line_id._action_launch_stock_rule(
                previous_product_uom_qty={line.sale_line_id.id: line.old_qty for line in to_procure}
            )

    def _decrease(self, lines, notes):
        productions = self._productions_by_line(lines.sale_line_id)
        new_demand = {}
        to_cancel = self.env["stock.move"]
        for line in lines:
            sale_line = line.sale_line_id
            remaining = line.old_qty - line.new_qty
            for move in self._open_moves(sale_line).sorted("id", reverse=True):
                if float_is_zero(remaining, precision_rounding=sale_line.product_uom.rounding):
                    break
                move_remaining = sale_line.product_uom._compute_quantity(remaining, move.product_uom)
                if (
                    float_compare(
                        move_remaining, move.product_uom_qty, precision_rounding=move.product_uom.rounding
                    )
                    >= 0
                ):
                    to_cancel |= move
                    remaining -= move.product_uom._compute_quantity(
                        move.product_uom_qty, sale_line.product_uom
                    )
                else:
                    new_demand[move] = move.product_uom_qty - move_remaining
                    remaining = 0.0
            tops = productions.get(sale_line.id, self.env["mrp.production"]).filtered(
                lambda mo, sale_line=sale_line: mo.product_id == sale_line.product_id
            )
            if tops:
                delta = sale_line.product_uom._compute_quantity(
                    line.new_qty - line.old_qty, tops[0].product_uom_id
                )
                left = self._resize_productions(tops, delta, notes)
                if not float_is_zero(left, precision_rounding=tops[0].product_uom_id.rounding):
                    notes.append(
                        self.env._(
                            "%(qty)s %(product)s are already in production; production decides what to "
                            "do with them.",
                            qty=-left,
                            product=sale_line.product_id.display_name,
                        )
                    )
        for qty, moves in self.env["stock.move"].concat(*new_demand).grouped(lambda m: new_demand[m]).items():
            moves.write({"product_uom_qty": qty})
        if to_cancel:
            to_cancel._action_cancel()

    def _apply_price(self):
        changed = self.line_ids.filtered("is_changed")
        rows = [
            (line.sale_line_id.product_id.display_name, line.old_price_unit, line.new_price_unit)
            for line in changed
        ]
        for price, lines in changed.grouped("new_price_unit").items():
            lines.sale_line_id.write({"price_unit": price})
        return rows, []

    def _apply_product(self):
        rows, notes = [], []
        changed = self.line_ids.filtered("is_changed")
        productions = self._productions_by_line(changed.sale_line_id)
        moves = self.env["stock.move"]
        mos = self.env["mrp.production"]
        for line in changed:
            rows.append(
                (line.sale_line_id.name, line.old_product_id.display_name, line.new_product_id.display_name)
            )
            moves |= self._open_moves(line.sale_line_id)
            line_mos = productions.get(line.sale_line_id.id, self.env["mrp.production"])
            mos |= line_mos.filtered(lambda mo: mo.state in UNSTARTED_MO_STATES)
            started = line_mos.filtered(lambda mo: mo.state in STARTED_MO_STATES)
            if started:
                notes.append(
                    self.env._(
                        "Started manufacturing orders kept for production to decide: %(mos)s",
                        mos=", ".join(started.mapped("name")),
                    )
                )
        if moves:
            moves._action_cancel()
        if mos:
            mos.action_cancel()
            notes.append(
                self.env._("Manufacturing orders cancelled: %(mos)s", mos=", ".join(mos.mapped("name")))
            )
        changed.sale_line_id.with_context(skip_procurement=True).write({"product_uom_qty": 0.0})
        self.env["sale.order.line"].create(
            [
                {
                    "order_id": self.order_id.id,
                    "sequence": line.sale_line_id.sequence,
                    "product_id": line.new_product_id.id,
                    "product_uom_qty": line.old_qty,
                    "price_unit": line.new_price_unit,
                    "discount": line.sale_line_id.discount,
                }
                for line in changed
            ]
        )
        return rows, notes

    def _format_date(self, value):
        return format_datetime(self.env, value) if value else "-"

    def _apply_date(self):
        order = self.order_id
        old = order.commitment_date
        new = self.new_commitment_date
        order.write({"commitment_date": new})
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if pickings:
            pickings.write({"scheduled_date": new})
            pickings.move_ids.filtered(lambda m: m.state not in ("done", "cancel")).write(
                {"date_deadline": new}
            )
        rows = [(self.env._("Delivery date"), self._format_date(old), self._format_date(new))]
        notes = []
        if pickings:
            notes.append(
                self.env._(
                    "Deliveries rescheduled: %(pickings)s", pickings=", ".join(pickings.mapped("name"))
                )
            )
        return rows, notes

    def _apply_cancel(self):
        order = self.order_id
        mos = self.affected_production_ids
        started = mos.filtered(lambda mo: mo.state in STARTED_MO_STATES and mo.state != "done")
        unstarted = mos.filtered(lambda mo: mo.state in UNSTARTED_MO_STATES)
        labels = dict(order._fields["state"]._description_selection(self.env))
        before = labels[order.state]
        open_pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        order._action_cancel()
        unstarted = unstarted.filtered(lambda mo: mo.state in UNSTARTED_MO_STATES)
        if unstarted:
            unstarted.action_cancel()
        rows = [(self.env._("Order"), before, labels[order.state])]
        notes = []
        if open_pickings:
            notes.append(
                self.env._(
                    "Deliveries cancelled: %(pickings)s", pickings=", ".join(open_pickings.mapped("name"))
                )
            )
        if unstarted:
            notes.append(
                self.env._("Manufacturing orders cancelled: %(mos)s", mos=", ".join(unstarted.mapped("name")))
            )
        if started:
            notes.append(
                self.env._(
                    "Manufacturing orders already started, for production to decide: %(mos)s",
                    mos=", ".join(started.mapped("name")),
                )
            )
        return rows, notes

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
