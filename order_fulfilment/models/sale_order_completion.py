from odoo import api, fields, models


class SaleOrder(models.Model):
    """Order completion (订单完成确认): produced, passed inspection and delivered.

    The flag is stored so that it can be searched and counted in the fulfilment analysis. It
    depends only on stored fields of the order itself, so confirming or editing an order costs
    nothing more: an order that is not fully delivered is not complete, without reading
    anything else. The manufacturing orders and the inspections are read only for the fully
    delivered orders. When one of them changes after the delivery (an MO closed late, an
    inspection or a disposition decided after shipping), the change itself asks for the
    recomputation of the orders concerned (``_fulfilment_completion_touch``).
    """

    _inherit = "sale.order"

    fulfilment_completed = fields.Boolean(
        string="Completed",
        compute="_compute_fulfilment_completed",
        store=True,
        index=True,
        copy=False,
        help="Order complete (订单完成): every product is produced, has passed inspection (or "
        "its nonconformity is decided) and is delivered in full.",
    )

    @api.depends("state", "fulfilment_fully_delivered")
    def _compute_fulfilment_completed(self):
        candidates = self.filtered(lambda order: order.state == "sale" and order.fulfilment_fully_delivered)
        (self - candidates).fulfilment_completed = False
        if not candidates:
            return
        productions = candidates._fulfilment_productions_by_order()
        unsettled = candidates._fulfilment_quality_unsettled(productions)
        for order in candidates:
            produced = all(mo.state in ("done", "cancel") for mo in productions[order])
            order.fulfilment_completed = produced and order not in unsettled

    def _fulfilment_quality_unsettled(self, productions_by_order):
        """The orders among these whose goods are held by an inspection: not inspected yet, or
        failed with no disposition decided (``is_blocking``). The inspections of their
        manufacturing orders (every BoM level) and of their deliveries, in one search."""
        all_productions = self.env["mrp.production"].union(*productions_by_order.values())
        pickings = self.sudo().picking_ids
        if not all_productions and not pickings:
            return self.browse()
        checks = (
            self.env["fulfilment.quality.check"]
            .sudo()
            .search(
                [
                    ("is_blocking", "=", True),
                    "|",
                    ("production_id", "in", all_productions.ids),
                    ("picking_id", "in", pickings.ids),
                ]
            )
        )
        if not checks:
            return self.browse()
        return self.filtered(
            lambda order: (
                checks.production_id & productions_by_order[order] or checks.picking_id & order.picking_ids
            )
        )

    @api.model
    def _fulfilment_completion_touch(self, productions=None, pickings=None):
        """Recompute the completion of the fully delivered orders of these manufacturing orders
        or pickings: called when one of them, or one of their inspections, changes after the
        delivery. Orders not fully delivered are left alone (they cannot be complete yet)."""
        orders = self.browse()
        if productions:
            productions = productions.sudo()
            orders |= (
                productions.fulfilment_sale_id
                | productions.procurement_group_id.sale_id
                | productions.sale_line_id.order_id
            )
        if pickings:
            orders |= pickings.sudo().sale_id
        orders = orders.filtered("fulfilment_fully_delivered")
        if orders:
            self.env.add_to_compute(self._fields["fulfilment_completed"], orders)
