from odoo import api, fields, models
from odoo.exceptions import UserError

# Changes of these make the reviews of a quotation obsolete.
REVIEWED_ORDER_FIELDS = ("partner_id", "commitment_date", "is_rush", "order_line")
# The salesperson's to-do once every review of the quotation is approved.
CONFIRM_ACTIVITY = "order_fulfilment.mail_activity_type_review_confirm"


class SaleOrder(models.Model):
    """Order reviews: the review mixin on quotations, the confirmation gate, invalidation."""

    _name = "sale.order"
    _inherit = ["sale.order", "fulfilment.review.mixin"]
    _review_applies_to = "sale_order"

    fulfilment_review_all_ids = fields.One2many(
        "fulfilment.review",
        "order_id",
        string="All Reviews",
        help="The reviews of the order and of its change requests.",
    )

    def _review_order(self):
        return self

    def _review_is_open(self):
        return self.state in ("draft", "sent")

    @api.model
    def _review_state_depends(self):
        return [
            "company_id",
            "state",
            "partner_id",
            "is_rush",
            "amount_total",
            "order_line.product_id",
            "order_line.price_reduce_taxexcl",
        ]

    @api.model
    def _review_open_domain(self):
        return [("state", "in", ("draft", "sent"))] + super()._review_open_domain()

    def action_request_review(self):
        self.check_access("write")
        not_open = self.filtered(lambda o: not o._review_is_open())
        if not_open:
            raise UserError(
                self.env._(
                    "%(orders)s: only quotations can be sent for review.",
                    orders=", ".join(not_open.mapped("display_name")),
                )
            )
        under_review = self.filtered(lambda o: o.review_state in ("pending", "approved"))
        if under_review:
            raise UserError(
                self.env._(
                    "%(orders)s: the review was already requested. Change the quotation to request it again.",
                    orders=", ".join(under_review.mapped("display_name")),
                )
            )
        requested = self._review_request()
        not_needed = self - requested
        if not_needed and not requested:
            raise UserError(
                self.env._(
                    "%(orders)s: no review rule applies; the quotation can be confirmed directly.",
                    orders=", ".join(not_needed.mapped("display_name")),
                )
            )
        return True

    def action_review_approve(self):
        """Approve the current user's pending reviews of these orders."""
        reviews = self._review_decidable()
        reviews.action_approve()
        return True

    def action_review_reject(self):
        """Open the rejection dialog for the current user's pending reviews of the order."""
        reviews = self._review_decidable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Review"),
            "res_model": "fulfilment.review.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_ids": reviews.ids},
        }

    def _review_decidable(self):
        reviews = self.env["fulfilment.review"]
        for order in self:
            reviews |= order._review_current().filtered("can_decide")
        if not reviews:
            raise UserError(
                self.env._(
                    "%(orders)s: you have no review to decide. Reviews are decided by members of their "
                    "department, other than the salesperson and the requester.",
                    orders=", ".join(self.mapped("display_name")),
                )
            )
        return reviews

    def action_view_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_review_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"search_default_group_round": 0}
        return action

    def _review_on_approved(self):
        for order in self.filtered("user_id"):
            # In the salesperson's language.
            to_do = order._fulfilment_with_sender(order.user_id.lang)
            to_do.activity_schedule(
                CONFIRM_ACTIVITY,
                user_id=order.user_id.id,
                summary=to_do.env._("Reviews approved: confirm the order"),
            )

    def _review_close_confirm_activity(self):
        """Remove the salesperson's "confirm the order" to-do once the order is confirmed or
        cancelled, or its approval no longer holds (the quotation changed, a new review round).
        The confirmation itself is tracked on the order; the to-do leaves no note of its own."""
        if self:
            # The to-do is the salesperson's; whoever confirms the order may close it.
            self.sudo().activity_unlink([CONFIRM_ACTIVITY])

    def _review_request(self, extra=None):
        requested = super()._review_request(extra=extra)
        requested._review_close_confirm_activity()
        return requested

    def _review_invalidate(self, reason):
        result = super()._review_invalidate(reason)
        self._review_close_confirm_activity()
        return result

    def _review_on_rejected(self):
        for order in self.filtered("user_id"):
            to_do = order._fulfilment_with_sender(order.user_id.lang)
            to_do.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=order.user_id.id,
                summary=to_do.env._("Review rejected: change the quotation and request the review again"),
                note=to_do.review_rejection,
            )

    def _review_snapshot(self):
        """What the reviewers signed: a change of any of it cancels their sign-off."""
        return {
            order.id: (
                order.partner_id.id,
                order.commitment_date,
                order.is_rush,
                tuple(
                    sorted(
                        (line.id, line.product_id.id, line.product_uom_qty, line.price_unit, line.discount)
                        for line in order.order_line
                        if not line.display_type
                    )
                ),
            )
            for order in self
        }

    def _review_under_review(self):
        return self.filtered(lambda o: o._review_is_open() and o.review_state in ("pending", "approved"))

    def _review_invalidate_changed(self, before):
        changed = self.filtered(lambda o: o.id in before)
        after = changed._review_snapshot()
        changed = changed.filtered(lambda o: before[o.id] != after[o.id])
        if changed:
            changed._review_invalidate(
                lambda env: env._("the quotation changed after the review was requested")
            )

    def _review_check_not_quotations(self):
        """Orders put in the sale state without being quotations (cancelled orders written back,
        orders created confirmed) are refused when a review rule would apply to them."""
        closed = self.filtered(lambda o: not o._review_is_open())
        if not closed:
            return
        rules = self.env["fulfilment.review.rule"]._rules_for(closed, self._review_applies_to)
        blocked = closed.filtered(lambda o: o in rules)
        if blocked:
            raise UserError(
                self.env._(
                    "%(orders)s needs a review by %(departments)s before it can be confirmed. Confirm it "
                    "from a quotation: set it back to quotation, request the review, then confirm it.",
                    orders=", ".join(blocked.mapped("display_name")),
                    departments=", ".join(
                        dict.fromkeys(
                            self.env["fulfilment.review.rule"].union(*rules.values()).mapped("department")
                        )
                    ),
                )
            )

    def write(self, vals):
        if "review_state" in vals or ("review_round" in vals and not self.env.su):
            raise UserError(self.env._("The review status follows the reviews; it cannot be written."))
        if vals.get("state") == "sale":
            to_confirm = self.filtered(lambda o: o.state != "sale")
            to_confirm._review_check_not_quotations()
            to_confirm._review_check_gate()
        watched = self._review_under_review() if set(vals) & set(REVIEWED_ORDER_FIELDS) else self.browse()
        before = watched._review_snapshot()
        result = super().write(vals)
        if watched:
            watched._review_invalidate_changed(before)
        if vals.get("state") in ("sale", "cancel"):
            self._review_close_confirm_activity()
        return result

    @api.model_create_multi
    def create(self, vals_list):
        # The review status follows the reviews, and no order is born confirmed past them.
        if not self.env.su:
            if any("review_state" in vals or "review_round" in vals for vals in vals_list):
                raise UserError(self.env._("The review status follows the reviews; it cannot be written."))
            context = {
                key: value
                for key, value in self.env.context.items()
                if key not in ("default_review_state", "default_review_round")
            }
            self = self.with_context(context)  # noqa: PLW0642  # pylint: disable=context-overridden
        orders = super().create(vals_list)
        orders.filtered(lambda o: o.state == "sale")._review_check_not_quotations()
        return orders

    def _validate_order(self):
        """Online signature: the order is signed, but confirmed only once its reviews allow it."""
        blocked = self.filtered(lambda o: o._review_blocking_message())
        blocked._fulfilment_post(
            lambda order: order.env._(
                "Signed online by the customer. The order is confirmed once its reviews are approved."
            )
        )
        for order in blocked.filtered("user_id"):
            to_do = order._fulfilment_with_sender(order.user_id.lang)
            to_do.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=order.user_id.id,
                summary=to_do.env._("Signed online: complete the reviews, then confirm"),
            )
        return super(SaleOrder, self - blocked)._validate_order()
