from odoo import api, fields, models

from ..tools.checks import raise_if_any

# The salesperson's to-do once every review of the quotation is approved.
CONFIRM_ACTIVITY = "order_fulfilment.mail_activity_type_review_confirm"


class SaleOrder(models.Model):
    """Order reviews: the review mixin on quotations, the confirmation gate, invalidation."""

    _name = "sale.order"
    _inherit = ["sale.order", "fulfilment.review.mixin"]
    _review_applies_to = "sale_order"
    _review_open_states = ("draft", "sent")
    _review_gate_states = ("sale",)
    # What the reviewers sign: a change of any of it cancels their sign-off.
    _review_watched_fields = {
        "partner_id": None,
        "commitment_date": None,
        "is_rush": None,
        "order_line": ("product_id", "product_uom_qty", "price_unit", "discount"),
    }

    fulfilment_review_all_ids = fields.One2many(
        "fulfilment.review",
        "order_id",
        "All Reviews",
        help="The reviews of the order and of its change requests.",
    )

    def _review_order(self):
        return self

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

    def action_request_review(self):
        raise_if_any(
            self.filtered(lambda o: not o._review_is_open()),
            lambda orders: self.env._("%(orders)s: only quotations can be sent for review.", orders=orders),
        )
        return super().action_request_review()

    def action_view_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_review_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"search_default_group_round": 0}
        return action

    def _review_on_approved(self):
        self._fulfilment_todo(
            "user_id",
            lambda order: order.env._("Reviews approved: confirm the order"),
            activity_type=CONFIRM_ACTIVITY,
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

    def _review_reconcile(self, before):
        result = super()._review_reconcile(before)
        # The approval no longer holds: the "confirm the order" to-do goes.
        self.exists().filtered(lambda o: o.review_state != "approved")._review_close_confirm_activity()
        return result

    def _review_on_rejected(self):
        self._fulfilment_todo(
            "user_id",
            lambda order: order.env._("Review rejected: change the quotation and request the review again"),
            note=lambda order: order.review_rejection,
        )

    def _review_changed_reason(self, env):
        return env._("the quotation changed after the review was requested")

    def _review_closed_message(self, blocked, rules):
        return self.env._(
            "%(orders)s needs a review by %(departments)s before it can be confirmed. Confirm it "
            "from a quotation: set it back to quotation, request the review, then confirm it.",
            orders=", ".join(blocked.mapped("display_name")),
            departments=", ".join(dict.fromkeys(rules.mapped("department"))),
        )

    def _review_open_action(self):
        action = super()._review_open_action()
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            # The sales form reads deliveries, templates and options: reviewers from other
            # departments get the quotation's content and its sign-offs instead.
            view = self.env.ref("order_fulfilment.sale_order_view_form_review")
            action["views"] = [(view.id, "form")]
        return action

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in ("sale", "cancel"):
            self._review_close_confirm_activity()
        if vals.get("state") == "cancel":
            # A cancelled quotation waits for nobody: its open reviews and their to-dos go.
            self._review_cancel()
        return result

    def _validate_order(self):
        """Online signature: the order is signed, but confirmed only once its reviews allow it."""
        blocked = self.filtered(lambda o: o._review_blocking_message())
        blocked._fulfilment_post(
            lambda order: order.env._(
                "Signed online by the customer. The order is confirmed once its reviews are approved."
            )
        )
        blocked._fulfilment_todo(
            "user_id", lambda order: order.env._("Signed online: complete the reviews, then confirm")
        )
        return super(SaleOrder, self - blocked)._validate_order()
