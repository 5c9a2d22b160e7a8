from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import FulfilmentCase, staff_user


@tagged("post_install", "-at_install")
class TestToursFinance(HttpCase, FulfilmentCase):
    """Finance, with no sales rights, releases orders waiting for payment in the web client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.finance = staff_user(
            cls.env, "of_tour_finance", "order_fulfilment.group_review_finance", name="Fiona Finance"
        )
        Partner = cls.env["res.partner"]
        cls.customer_b = Partner.create(
            {"name": "Dalian Irrigation", "is_company": True, "fulfilment_customer_class": "B"}
        )
        cls.customer_c = Partner.create(
            {"name": "Changchun Building", "is_company": True, "fulfilment_customer_class": "C"}
        )

    def _confirmed(self, partner):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": self.salesman.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.stocked.id,
                            "product_uom_qty": 10,
                            "price_unit": 50.0,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def test_finance_releases_orders_waiting_for_payment(self):
        from_form = self._confirmed(self.customer_b)
        from_list = self._confirmed(self.customer_c)
        self.assertFalse(from_form.delivery_released)
        self.assertFalse(from_list.delivery_released)
        self.start_tour("/odoo", "order_fulfilment_finance_release", login="of_tour_finance")
        for order in from_form | from_list:
            self.assertTrue(order.delivery_released, order.name)
            self.assertEqual(order.fulfilment_released_by_id, self.finance)
            self.assertTrue(order.fulfilment_released_date)
