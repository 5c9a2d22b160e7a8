from odoo import Command
from odoo.tests import tagged

from .common import FulfilmentCase


@tagged("post_install", "-at_install")
class TestQualityModels(FulfilmentCase):
    def test_models_and_defaults(self):
        company = self.env["res.company"].create({"name": "New Valve Works"})
        self.assertTrue(company.fulfilment_quality_gate)
        self.assertEqual(company.fulfilment_quality_classify_minutes, 20)
        self.assertEqual(company.fulfilment_quality_head_minutes, 30)
        manager = self.env.ref("order_fulfilment.group_fulfilment_manager")
        quality_manager = self.env.ref("order_fulfilment.group_quality_manager")
        self.assertIn(quality_manager, manager.implied_ids)
        self.assertIn(self.env.ref("order_fulfilment.group_review_quality"), quality_manager.implied_ids)
        point = self.env["fulfilment.quality.point"].create(
            {
                "name": "Pump final test",
                "operation": "production",
                "product_ids": [Command.set(self.pump.ids)],
                "item_ids": [
                    Command.create({"name": "Appearance"}),
                    Command.create(
                        {
                            "name": "Pressure",
                            "kind": "measure",
                            "unit": "bar",
                            "min_value": 9,
                            "max_value": 11,
                        }
                    ),
                ],
            }
        )
        check = self.env["fulfilment.quality.check"].create(
            {
                "point_id": point.id,
                "product_id": self.pump.id,
                "qty_inspected": 1,
                "line_ids": [Command.create({"item_id": item.id}) for item in point.item_ids],
            }
        )
        self.assertTrue(check.name.startswith("QC/"))
        self.assertEqual(check.state, "todo")
        self.assertTrue(check.is_blocking)
        nonconformity = self.env["fulfilment.nonconformity"].create(
            {"check_id": check.id, "product_id": self.pump.id, "qty": 1}
        )
        self.assertTrue(nonconformity.name.startswith("NC/"))
        self.assertEqual(nonconformity.state, "open")
        self.assertTrue(nonconformity.head_deadline > nonconformity.classify_deadline)
