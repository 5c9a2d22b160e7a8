from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

from ..tools.checks import raise_if_any
from ..tools.orm import compute_saved_state, saved_state_field


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    fulfilment_current_state = saved_state_field(
        "mrp.production",
        "The status of the saved manufacturing order, also while a change request that lists "
        "it is not saved yet.",
    )
    _compute_fulfilment_current_state = compute_saved_state

    # ------------------------------------------------------------------
    # Rush orders
    # ------------------------------------------------------------------
    fulfilment_is_rush = fields.Boolean(
        "Rush",
        index="btree_not_null",
        readonly=True,
        help="Made for a rush order: scheduled before other orders.",
    )
    fulfilment_sale_id = fields.Many2one(
        "sale.order",
        "For Sale Order",
        index="btree_not_null",
        readonly=True,
        check_company=True,
        help="The sale order this manufacturing order (or its parent assembly) was made for.",
    )

    def action_fulfilment_cannot_meet(self, reason):
        """Production reports that the date of the order cannot be met (无法按期完成)."""
        if not self.env.user.has_group("mrp.group_mrp_user"):
            raise AccessError(
                self.env._("Only manufacturing users may report that an order date cannot be met.")
            )
        if reason is not None and not isinstance(reason, str):
            raise UserError(self.env._("The reason why the date cannot be met must be a text."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._(
                    "Give the reason why %(productions)s cannot meet the date.",
                    productions=", ".join(self.mapped("display_name")),
                )
            )
        raise_if_any(
            self.filtered(lambda p: p.state in ("done", "cancel")),
            lambda productions: self.env._(
                "%(productions)s is already done or cancelled: there is no date left to miss.",
                productions=productions,
            ),
        )
        activity_type = self.env.ref("order_fulfilment.mail_activity_type_cannot_meet")
        orders_by_production = {
            production: production.sudo().fulfilment_sale_id | production.sudo().get_linked_sale_orders()
            for production in self
        }
        for production, orders in orders_by_production.items():
            if not orders:
                raise UserError(
                    self.env._(
                        "%(production)s was not made for a sale order: there is no salesperson to tell.",
                        production=production.display_name,
                    )
                )

        def note(order, production):
            """The note for the order, in the language of the order's environment."""
            return order.env._(
                "%(production)s cannot meet the date of this order (%(date)s). Reason: %(reason)s",
                production=production.name,
                date=format_datetime(order.env, order.commitment_date) if order.commitment_date else "-",
                reason=reason,
            )

        for production, orders in orders_by_production.items():
            production._fulfilment_post(
                lambda mo: mo.env._("Cannot meet the date: %(reason)s", reason=reason),
                message_type="comment",
            )
            for order in orders:
                order._fulfilment_post(
                    lambda record, production=production: note(record, production), message_type="comment"
                )
                # The salesperson is told in their language.
                user = order.user_id or self.env.user
                to_do = order._fulfilment_with_sender(user.lang)
                to_do.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=to_do.env._("%(production)s cannot meet the date", production=production.name),
                    note=note(to_do, production),
                    user_id=user.id,
                )
        return True
