from datetime import timedelta

from odoo import api, fields, models


class SaleOrder(models.Model):
    """Demo data: the delivery history and rush orders of the pump factory."""

    _inherit = "sale.order"

    @api.model
    def _demo_approve_reviews(self, order, requester, requested_at, hours):
        """Demo data: request the order's review and approve every step, dated in the past."""
        order.with_user(requester)._review_request()
        while pending := order._review_current().filtered(lambda r: r.state == "pending"):
            for review in pending:
                reviewer = self.env["res.users"].search(
                    [
                        ("groups_id", "in", review.group_id.ids),
                        ("id", "!=", requester.id),
                        ("share", "=", False),
                    ],
                    limit=1,
                    order="id desc",
                )
                review.with_user(reviewer)._decide("approved", comment=self.env._("Checked, we can do it."))
        reviews = order._review_current()
        for step, review in enumerate(reviews.sorted("sequence")):
            review.write(
                {
                    "request_date": requested_at,
                    "decision_date": requested_at + timedelta(hours=hours * (step + 1) / len(reviews)),
                }
            )

    @api.model
    def _demo_create_fulfilment_story(self):
        """Demo data, dated from today: six months of deliveries and two rush orders in production."""
        ref = self.env.ref
        salesman = ref("order_fulfilment.user_demo_salesman")
        finance = ref("order_fulfilment.user_demo_finance")
        stock = ref("stock.warehouse0").lot_stock_id
        standard_pump = ref("order_fulfilment.product_demo_standard_pump")
        self.env["stock.quant"]._update_available_quantity(standard_pump, stock, 80)
        customers = [
            ref("order_fulfilment.partner_demo_waterworks"),
            ref("order_fulfilment.partner_demo_farm"),
            ref("order_fulfilment.partner_demo_class_a"),
            ref("order_fulfilment.partner_demo_class_b"),
            ref("order_fulfilment.partner_demo_class_c"),
        ]
        products = [
            standard_pump,
            ref("order_fulfilment.product_demo_impeller"),
            ref("order_fulfilment.product_demo_seal"),
        ]
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        today = now.replace(hour=9)
        # (days ago the order was placed, days after the promised date it arrived, shipped short,
        #  hours the review took: large orders need the production and purchasing sign-offs)
        history = [
            (170, -2, False, 0),
            (160, 0, False, 26),
            (140, 3, False, 0),
            (125, -1, False, 0),
            (110, -3, False, 7),
            (95, 5, False, 0),
            (80, 0, False, 0),
            (70, -1, True, 30),
            (55, -2, False, 0),
            (45, 1, False, 0),
            (35, 0, False, 5),
            (25, -1, False, 0),
        ]
        for index, (placed_days_ago, arrived_after, short, review_hours) in enumerate(history):
            placed = today - timedelta(days=placed_days_ago)
            promised = placed + timedelta(days=10)
            product = products[index % len(products)]
            if review_hours:
                product, qty = standard_pump, 5
            else:
                qty = 2 if product == standard_pump else 10
            order = self.create(
                {
                    "partner_id": customers[index % len(customers)].id,
                    "user_id": salesman.id,
                    "commitment_date": promised,
                    "client_order_ref": f"PO-{2400 + index}",
                    "order_line": [fields.Command.create({"product_id": product.id, "product_uom_qty": qty})],
                }
            )
            if review_hours:
                self._demo_approve_reviews(
                    order, salesman, placed - timedelta(hours=review_hours + 2), review_hours
                )
            order.action_confirm()
            if not order.delivery_released:
                order.write({"delivery_released_by_id": finance.id, "delivery_released_date": placed})
            picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
            picking.action_assign()
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty - (move.product_uom_qty // 4 if short else 0)
            picking.move_ids.picked = True
            if short:
                picking.short_shipment_consent = (
                    "Mr. Zhao agreed by phone to receive the rest with the next order."
                )
            picking.with_context(
                skip_backorder=True, picking_ids_not_to_backorder=picking.ids
            ).button_validate()
            arrived = promised + timedelta(days=arrived_after)
            picking.write({"date_done": arrived - timedelta(hours=4)})
            order.write({"date_order": placed})

        # Rush orders in production: one due tomorrow (at risk), one next month.
        rush_pump = ref("order_fulfilment.product_demo_pump")
        for partner, days, reason in (
            (customers[0], 1, "Burst main at the Harbin pumping station."),
            (customers[2], 30, "Replacement for a flooded station before the rainy season."),
        ):
            order = self.create(
                {
                    "partner_id": partner.id,
                    "user_id": salesman.id,
                    "commitment_date": today + timedelta(days=days),
                    "is_rush": True,
                    "rush_reason": reason,
                    "order_line": [fields.Command.create({"product_id": rush_pump.id, "product_uom_qty": 2})],
                }
            )
            self._demo_approve_reviews(order, salesman, now - timedelta(hours=5), 2)
            order.with_user(salesman).action_confirm()
