from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FulfilmentCase, roster, staff_user

CHECK_REPORT = "order_fulfilment.fulfilment_quality_check_report"
NC_REPORT = "order_fulfilment.fulfilment_nonconformity_report"


class QualityScreensCase(FulfilmentCase):
    """A final-inspection control point on the pump, manufacturing orders with inspections, a
    receipt of impeller blanks from a supplier; an inspector and a quality manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.email = "service@harbin-pumps.example.com"
        roles = ("inspector", "qmanager", "planner")
        cls.inspector, cls.quality_manager, cls.planner = roster(cls.env, "of_qs", *roles, factory=staff_user)
        cls.supplier = cls.env["res.partner"].create({"name": "Shenyang Castings", "is_company": True})
        cls.workcenter = cls.env["mrp.workcenter"].create({"name": "Final Assembly Line"})
        cls.point = (
            cls.env["fulfilment.quality.point"]
            .with_user(cls.quality_manager)
            .create(
                {
                    "name": "Pump final inspection",
                    "operation": "production",
                    "product_ids": [Command.set(cls.pump.ids)],
                    "item_ids": [
                        Command.create({"name": "Nameplate and paint", "kind": "passfail"}),
                        Command.create(
                            {
                                "name": "Pressure",
                                "kind": "measure",
                                "unit": "bar",
                                "min_value": 9.0,
                                "max_value": 11.0,
                            }
                        ),
                    ],
                }
            )
        )
        Production = cls.env["mrp.production"]
        cls.mo_1 = Production.create({"product_id": cls.pump.id, "product_qty": 2})
        cls.mo_2 = Production.create({"product_id": cls.pump.id, "product_qty": 1})
        # As the automatic inspection creates them: one per MO, from the checklist.
        cls.check_1 = cls._check(cls.mo_1, qty=2)
        cls.check_2 = cls._check(cls.mo_2, qty=1)

    @classmethod
    def _check(cls, production, qty, **values):
        return (
            cls.env["fulfilment.quality.check"]
            .sudo()
            .create(
                {
                    "point_id": cls.point.id,
                    "operation": "production",
                    "product_id": production.product_id.id,
                    "production_id": production.id,
                    "workcenter_id": cls.workcenter.id,
                    "qty_inspected": qty,
                    "line_ids": [Command.create({"item_id": item.id}) for item in cls.point.item_ids],
                    **values,
                }
            )
        )

    def _lines(self, check):
        passfail = check.line_ids.filtered(lambda line: line.kind == "passfail")
        measure = check.line_ids.filtered(lambda line: line.kind == "measure")
        return passfail.with_user(self.inspector), measure.with_user(self.inspector)


@tagged("post_install", "-at_install")
class TestQualityTablet(QualityScreensCase):
    def test_inspector_passes_and_fails_items_from_the_tablet_list(self):
        passfail, measure = self._lines(self.check_1)
        passfail.action_fulfilment_pass()
        self.assertEqual(passfail.result, "pass")
        with self.assertRaisesRegex(UserError, "Pressure is a measure"):
            measure.action_fulfilment_pass()
        # The measure is entered inline: outside its limits, it fails its item.
        measure.write({"measured_value": 12.5})
        self.assertEqual(measure.result, "fail")
        (passfail | measure).action_fulfilment_finish()
        self.assertEqual(self.check_1.state, "fail")
        self.assertEqual(self.check_1.inspector_id, self.inspector)
        with self.assertRaisesRegex(UserError, "already done"):
            passfail.action_fulfilment_fail()

    def test_tablet_and_office_views_load_for_the_inspector(self):
        for model, action in (
            ("fulfilment.quality.check.line", "order_fulfilment.fulfilment_quality_check_line_action_tablet"),
            ("fulfilment.quality.check", "order_fulfilment.fulfilment_quality_check_action"),
            ("fulfilment.nonconformity", "order_fulfilment.fulfilment_nonconformity_action"),
        ):
            act = self.env.ref(action)
            views = (
                self.env[model]
                .with_user(self.inspector)
                .get_views([(False, mode) for mode in act.view_mode.split(",")] + [(False, "search")])
            )
            self.assertTrue(views["views"], model)
        lines = (
            self.env["fulfilment.quality.check.line"]
            .with_user(self.inspector)
            .search([("check_id.state", "=", "todo"), ("check_id", "in", (self.check_1 | self.check_2).ids)])
        )
        self.assertEqual(len(lines), 4, "Two items for each inspection to do")


@tagged("post_install", "-at_install")
class TestQualitySmartButtons(QualityScreensCase):
    def test_counts_on_manufacturing_orders_in_one_batch(self):
        passfail, measure = self._lines(self.check_2)
        passfail.action_fulfilment_pass()
        measure.write({"measured_value": 10.0})
        self.check_2.with_user(self.inspector).action_done()
        self.assertEqual(self.check_2.state, "pass")
        self._check(self.mo_1, qty=1)
        productions = (self.mo_1 | self.mo_2).with_user(self.planner)
        self.env.invalidate_all()
        # One grouped count of inspections and one of nonconformities, whatever the number of MOs.
        with self.assertQueryCount(2):
            counts = [
                (mo.fulfilment_quality_check_count, mo.fulfilment_quality_todo_count) for mo in productions
            ]
        self.assertEqual(counts, [(2, 2), (1, 0)])
        to_inspect = (
            self.env["mrp.production"]
            .with_user(self.planner)
            .search([("fulfilment_quality_to_inspect", "=", True), ("id", "in", productions.ids)])
        )
        self.assertEqual(to_inspect, self.mo_1)
        not_to_inspect = (
            self.env["mrp.production"]
            .with_user(self.planner)
            .search([("fulfilment_quality_to_inspect", "=", False), ("id", "in", productions.ids)])
        )
        self.assertEqual(not_to_inspect, self.mo_2)
        action = self.mo_1.with_user(self.planner).action_fulfilment_view_quality_checks()
        self.assertEqual(
            self.env["fulfilment.quality.check"].with_user(self.planner).search(action["domain"]),
            self.env["fulfilment.quality.check"].search([("production_id", "=", self.mo_1.id)]),
        )

    def test_counts_on_a_receipt(self):
        receipt_type = self.warehouse.in_type_id
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": receipt_type.id,
                "partner_id": self.supplier.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.component.name,
                            "product_id": self.component.id,
                            "product_uom_qty": 50,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        check = self._check(
            self.mo_1, qty=50, production_id=False, picking_id=receipt.id, operation="receipt"
        )
        check.product_id = self.component
        nonconformity = (
            self.env["fulfilment.nonconformity"]
            .sudo()
            .create(
                {"check_id": check.id, "product_id": self.component.id, "qty": 4, "picking_id": receipt.id}
            )
        )
        (storekeeper,) = roster(self.env, "of_qs", "store", factory=staff_user)
        receipt = receipt.with_user(storekeeper)
        self.assertEqual(
            (receipt.fulfilment_quality_check_count, receipt.fulfilment_nonconformity_count), (1, 1)
        )
        self.assertIn(receipt, receipt.search([("fulfilment_quality_to_inspect", "=", True)]))
        action = receipt.action_fulfilment_view_nonconformities()
        self.assertEqual(receipt.env["fulfilment.nonconformity"].search(action["domain"]), nonconformity)


@tagged("post_install", "-at_install")
class TestQualityReports(QualityScreensCase):
    def _html(self, report, records):
        html, __ = self.env["ir.actions.report"]._render_qweb_html(report, records.ids)
        return html.decode()

    def test_inspection_report(self):
        passfail, measure = self._lines(self.check_1)
        passfail.action_fulfilment_pass()
        measure.write({"measured_value": 12.5})
        self.check_1.with_user(self.inspector).write({"note": "Pressure relief valve set too high"})
        self.check_1.with_user(self.inspector).action_done()
        html = self._html(CHECK_REPORT, self.check_1)
        for expected in (
            "Inspection Report",
            self.check_1.name,
            "Centrifugal pump",
            self.mo_1.name,
            "Final Assembly Line",
            "Nameplate and paint",
            "Pressure",
            "12.5",
            "bar",
            "Qian Inspector",
            "Pressure relief valve set too high",
            "Quality manager:",
        ):
            self.assertIn(expected, html)

    def test_nonconformity_notice(self):
        nonconformity = (
            self.env["fulfilment.nonconformity"]
            .with_user(self.inspector)
            .create(
                {
                    "check_id": self.check_1.id,
                    "product_id": self.pump.id,
                    "production_id": self.mo_1.id,
                    "qty": 2,
                    "description": "Casing weld porous on the suction side",
                    "disposition": "rework",
                    "disposition_note": "Back to welding, then inspect again",
                }
            )
        )
        html = self._html(NC_REPORT, nonconformity)
        for expected in (
            "Nonconformity Notice",
            nonconformity.name,
            "Centrifugal pump",
            self.check_1.name,
            self.mo_1.name,
            "Casing weld porous on the suction side",
            "Rework",
            "Back to welding, then inspect again",
            "Responsible department:",
        ):
            self.assertIn(expected, html)


@tagged("post_install", "-at_install")
class TestQualityAnalysis(QualityScreensCase):
    def test_pass_rate_by_product_supplier_and_work_centre(self):
        for check, pressure in ((self.check_1, 12.5), (self.check_2, 10.0)):
            passfail, measure = self._lines(check)
            passfail.action_fulfilment_pass()
            measure.write({"measured_value": pressure})
            check.with_user(self.inspector).action_done()
        receipt_check = self._check(
            self.mo_1,
            qty=10,
            production_id=False,
            workcenter_id=False,
            operation="receipt",
            partner_id=self.supplier.id,
            product_id=self.component.id,
            line_ids=[],
        )
        receipt_check.action_done()
        self.assertEqual(receipt_check.state, "pass")
        Analysis = self.env["fulfilment.quality.analysis"].with_user(self.quality_manager)
        checks = self.check_1 | self.check_2 | receipt_check
        domain = [("check_id", "in", checks.ids)]
        by_product = dict(Analysis._read_group(domain, ["product_id"], ["pass_rate:avg"]))
        self.assertEqual(by_product, {self.pump: 50.0, self.component: 100.0})
        by_workcenter = dict(Analysis._read_group(domain, ["workcenter_id"], ["pass_rate:avg"]))
        self.assertEqual(by_workcenter[self.workcenter], 50.0)
        by_supplier = dict(Analysis._read_group(domain, ["supplier_id"], ["check_count:sum"]))
        self.assertEqual(by_supplier[self.supplier], 1)
