from odoo import api, fields, models


class SaleOrder(models.Model):
    """Order completion (订单完成确认): produced, passed inspection and nothing left to ship.

    Nothing left to ship is the order's *Delivery Complete*: every delivery to the customer is
    done or cancelled, at least one done. An order shipped short whose backorder was cancelled
    (closed short) completes too: what was not shipped will not be.

    The flag is stored so that it can be searched and counted in the fulfilment analysis. It
    depends only on stored fields of the order itself, so confirming or editing an order costs
    nothing more: an order with something left to ship is not complete, without reading
    anything else. The manufacturing orders and the inspections are read only for the orders
    with nothing left to ship. When one of them changes after the last delivery (an MO closed
    late, an inspection or a disposition decided after shipping), the change itself asks for
    the recomputation of the orders concerned (``_fulfilment_completion_touch``).
    """

    _inherit = "sale.order"

    fulfilment_completed = fields.Boolean(
        "Completed",
        compute="_compute_fulfilment_completed",
        store=True,
        index=True,
        help="Order complete (订单完成): every product is produced, has passed inspection (or "
        "its nonconformity is decided), and nothing is left to ship: every delivery is done or "
        "cancelled, at least one done (an order closed short completes too).",
    )

    @api.depends("state", "fulfilment_delivery_closed")
    def _compute_fulfilment_completed(self):
        candidates = self.filtered(lambda order: order.state == "sale" and order.fulfilment_delivery_closed)
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
        if not self.env["fulfilment.quality.point"]._fulfilment_quality_in_use(self.company_id):
            # No control point in these companies (cached): no inspection to look for.
            return self.browse()
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
        """Recompute the completion of the orders of these manufacturing orders or pickings that
        have nothing left to ship: called when one of them, or one of their inspections, changes
        after the delivery. Orders with something left to ship are left alone (they cannot be
        complete yet)."""
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
        orders = orders.filtered("fulfilment_delivery_closed")
        if orders:
            self.env.add_to_compute(self._fields["fulfilment_completed"], orders)
