from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import FulfilmentCase, roster, staff_user


@tagged("post_install", "-at_install")
class TestToursQuality(HttpCase, FulfilmentCase):
    """The quality gate clicked through by the people who work it: the MO is done, the inspection
    fails an item, the delivery is refused, a concession is approved, then the delivery ships."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([("applies_to", "!=", "nonconformity")]).active = False
        cls.env["mail.alias.domain"].create({"name": "harbin-pumps.example.com"})
        roles = ("planner", "inspector", "store", "qmanager", "gm")
        cls.planner, cls.inspector, cls.storekeeper, cls.quality_manager, cls.general_manager = roster(
            cls.env, "of_tq", *roles, factory=staff_user
        )
        cls.env["fulfilment.quality.point"].with_user(cls.quality_manager).create(
            {
                "name": "Pump final inspection",
                "operation": "production",
                "product_ids": [Command.set(cls.pump.ids)],
                "item_ids": [
                    Command.create({"name": "Pressure test", "kind": "passfail"}),
                    Command.create({"name": "Nameplate and paint", "kind": "passfail"}),
                ],
            }
        )
        cls.order = cls._create_order([(cls.pump, 1, 1000.0)])
        cls.order.action_confirm()
        productions = cls.order._fulfilment_collect_productions()
        cls.mo_pump = productions.filtered(lambda mo: mo.product_id == cls.pump)
        # The motor sub-assembly is already made.
        sub = (productions - cls.mo_pump).with_user(cls.planner)
        sub.action_assign()
        sub.button_mark_done()
        cls.delivery = cls.order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def test_failed_inspection_holds_the_delivery_until_a_concession(self):
        Check = self.env["fulfilment.quality.check"]
        mo_url = f"/odoo/action-mrp.mrp_production_action/{self.mo_pump.id}"
        self.start_tour(mo_url, "order_fulfilment_quality_mo_done", login="of_tq_planner")
        self.assertEqual(self.mo_pump.state, "done")
        check = Check.search([("production_id", "=", self.mo_pump.id)])
        self.assertEqual(check.state, "todo")

        self.start_tour("/odoo", "order_fulfilment_quality_inspect", login="of_tq_inspector")
        self.assertEqual(check.state, "fail")
        self.assertEqual(check.inspector_id, self.inspector)
        nonconformity = check.nonconformity_ids
        self.assertEqual(len(nonconformity), 1)

        delivery_url = f"/odoo/action-stock.action_picking_tree_all/{self.delivery.id}"
        self.start_tour(delivery_url, "order_fulfilment_quality_delivery_refused", login="of_tq_store")
        self.assertNotEqual(self.delivery.state, "done")
        self.assertFalse(self.order.fulfilment_completed)

        self.start_tour("/odoo", "order_fulfilment_quality_concession", login="of_tq_qmanager")
        self.assertEqual(nonconformity.disposition, "concession")
        self.assertEqual(nonconformity.review_state, "pending")
        self.assertEqual(nonconformity.state, "open")

        self.start_tour("/odoo", "order_fulfilment_quality_concession_approve", login="of_tq_gm")
        self.assertEqual(nonconformity.state, "decided")

        self.start_tour(delivery_url, "order_fulfilment_quality_delivery_ships", login="of_tq_store")
        self.assertEqual(self.delivery.state, "done")
        self.assertTrue(self.order.fulfilment_completed, "Produced, concession decided and delivered")
