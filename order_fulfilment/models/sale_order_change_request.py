from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    """Change requests on confirmed orders."""

    _inherit = "sale.order"

    change_request_ids = fields.One2many("fulfilment.change.request", "order_id", "Change Requests")
    fulfilment_change_request_count = fields.Integer(
        "Change Request Count", compute="_compute_fulfilment_change_request_count"
    )

    @api.depends("change_request_ids")
    def _compute_fulfilment_change_request_count(self):
        counts = dict(
            self.env["fulfilment.change.request"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.fulfilment_change_request_count = counts.get(order._origin, 0)

    def action_request_change(self):
        """Open a new change request (订单变更) of this confirmed order."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "%(order)s is not confirmed: change the quotation directly instead of "
                    "requesting a change.",
                    order=self.display_name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request Change"),
            "res_model": "fulfilment.change.request",
            "view_mode": "form",
            "target": "current",
            "context": {"default_order_id": self.id},
        }

    def action_view_change_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_fulfilment.fulfilment_change_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action
