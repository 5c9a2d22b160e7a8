from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FulfilmentCase, staff_user


class QualityCase(FulfilmentCase):
    """A pump factory with an inspector, a quality manager, a general manager, a buyer and a
    production supervisor; a lot-tracked valve and a purchased, lot-tracked seal ring."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inspector = staff_user(
            cls.env, "qc_inspector", "order_fulfilment.group_review_quality,stock.group_stock_user"
        )
        cls.quality_manager = staff_user(cls.env, "qc_manager", "order_fulfilment.group_quality_manager")
        cls.general_manager = staff_user(cls.env, "qc_gm", "order_fulfilment.group_general_manager")
        cls.buyer = staff_user(cls.env, "qc_buyer", "order_fulfilment.group_review_purchasing")
        cls.supervisor = staff_user(cls.env, "qc_supervisor", "mrp.group_mrp_manager")
        cls.storeman = staff_user(cls.env, "qc_storeman", "stock.group_stock_user")
        cls.operator = staff_user(cls.env, "qc_operator", "mrp.group_mrp_user")
        cls.supplier = cls.env["res.partner"].create({"name": "Wenzhou Seal Co"})
        Product = cls.env["product.product"]
        cls.valve = Product.create(
            {"name": "Gate valve", "is_storable": True, "tracking": "lot", "list_price": 300.0}
        )
        cls.seal = Product.create({"name": "Seal ring", "is_storable": True, "tracking": "lot"})
        cls.sealed = Product.create({"name": "Sealed housing", "is_storable": True})
        Bom = cls.env["mrp.bom"]
        Bom.create(
            {
                "product_tmpl_id": cls.valve.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": cls.component.id, "product_qty": 1})],
            }
        )
        Bom.create(
            {
                "product_tmpl_id": cls.sealed.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": cls.seal.id, "product_qty": 1})],
            }
        )
        cls.Point = cls.env["fulfilment.quality.point"]
        cls.Check = cls.env["fulfilment.quality.check"]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _point(self, operation, products, frequency="every", n=1, items=None):
        return self.Point.with_user(self.quality_manager).create(
            {
                "name": f"{operation} inspection",
                "operation": operation,
                "product_ids": [Command.set(products.ids)],
                "frequency": frequency,
                "frequency_n": n,
                "item_ids": [
                    Command.create(values)
                    for values in (
                        items
                        or [
                            {"name": "Appearance"},
                            {
                                "name": "Pressure",
                                "kind": "measure",
                                "unit": "bar",
                                "min_value": 9,
                                "max_value": 11,
                            },
                        ]
                    )
                ],
            }
        )

    def _produce(self, product, qty=1, lot_name=None, production=None):
        production = production or self.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": qty, "user_id": self.operator.id}
        )
        if production.state == "draft":
            production.action_confirm()
        production.action_assign()
        form = Form(production)
        form.qty_producing = production.product_qty
        if lot_name:
            form.lot_producing_id = self.env["stock.lot"].create({"name": lot_name, "product_id": product.id})
        form.save()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        return production

    def _checks(self, **domain):
        return self.Check.search([(name, "=", value) for name, value in domain.items()])

    def _inspect(self, check, user=None, fail_items=(), pressure=10.0, qty_failed=0.0):
        check = check.with_user(user or self.inspector)
        for line in check.line_ids:
            if line.kind == "measure":
                line.measured_value = pressure
            else:
                line.result = "fail" if line.name in fail_items else "pass"
        check.qty_failed = qty_failed
        check.action_done()
        return check

    def _deliver(self, picking, user=None):
        picking = picking.with_user(user or self.storeman)
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            Form(self.env["stock.backorder.confirmation"].with_context(**result["context"])).save().process()
        return picking

    def _deliver_once_inspected(self, check, picking):
        """The delivery waits for ``check``: refused while it is open, done once it passes."""
        with self.assertRaisesRegex(UserError, check.name):
            self._deliver(picking)
        self._inspect(check)
        self._deliver(picking)
        self.assertEqual(picking.state, "done")

    def _sold(self, product, qty=1):
        order = self._create_order([(product, qty, 100.0)])
        order.action_confirm()
        return order, order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def _receipt_values(self, product, qty):
        """A receipt of ``qty`` ``product`` from the supplier."""
        supplier_location = self.env.ref("stock.stock_location_suppliers")
        locations = {"location_id": supplier_location.id, "location_dest_id": self.stock_location.id}
        move = {"name": product.name, "product_id": product.id, "product_uom_qty": qty}
        return {
            "picking_type_id": self.warehouse.in_type_id.id,
            "partner_id": self.supplier.id,
            **locations,
            "move_ids": [Command.create({**move, "product_uom": product.uom_id.id, **locations})],
        }

    def _receive(self, product, qty, lot_name):
        picking = self.env["stock.picking"].create(self._receipt_values(product, qty))
        picking.action_confirm()
        self.assertEqual(picking.state, "assigned")
        check = self._checks(picking_id=picking.id)
        picking.move_ids.move_line_ids.write({"lot_name": lot_name, "quantity": qty, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking, check


@tagged("post_install", "-at_install")
class TestQualityModels(QualityCase):
    def test_models_and_defaults(self):
        company = self.env["res.company"].create({"name": "New Valve Works"})
        self.assertTrue(company.fulfilment_quality_gate)
        self.assertEqual(company.fulfilment_quality_classify_minutes, 20)
        self.assertEqual(company.fulfilment_quality_head_minutes, 30)
        manager = self.env.ref("order_fulfilment.group_fulfilment_manager")
        quality_manager = self.env.ref("order_fulfilment.group_quality_manager")
        self.assertIn(quality_manager, manager.implied_ids)
        self.assertIn(self.env.ref("order_fulfilment.group_review_quality"), quality_manager.implied_ids)
        point = self._point("production", self.pump)
        check = self.Check.create(
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
        self.assertGreater(nonconformity.head_deadline, nonconformity.classify_deadline)

    def test_limits_are_not_summed_in_grouped_lists(self):
        """Limits, measured values, "every Nth" and the company's thresholds are not summed when a
        list is grouped; quantities are."""
        not_summed = {
            "fulfilment.quality.point": ["frequency_n"],
            "fulfilment.quality.point.item": ["min_value", "max_value"],
            "fulfilment.quality.check.line": ["min_value", "max_value", "measured_value"],
            "res.company": [
                "fulfilment_quality_min_pass_rate",
                "fulfilment_quality_classify_minutes",
                "fulfilment_quality_head_minutes",
            ],
        }
        for model, names in not_summed.items():
            for name, description in self.env[model].fields_get(names, ["aggregator"]).items():
                self.assertFalse(description.get("aggregator"), f"{model}.{name} is summed")
        self.assertEqual(
            self.Check.fields_get(["qty_inspected"], ["aggregator"])["qty_inspected"]["aggregator"], "sum"
        )
        point = self._point("production", self.valve)
        self._point("production", self.valve)
        Item = self.env["fulfilment.quality.point.item"].with_user(self.quality_manager)
        [group] = Item.web_read_group(
            [("point_id.product_ids", "in", self.valve.ids), ("kind", "=", "measure")],
            ["min_value", "max_value"],
            ["kind"],
        )["groups"]
        self.assertEqual(group["kind_count"], 2)
        self.assertNotIn("min_value", group)
        self.assertNotIn("max_value", group)
        self.assertEqual(point.item_ids.filtered("min_value").min_value, 9)

    def test_inspector_rights(self):
        with self.assertRaises(AccessError):
            self.Point.with_user(self.inspector).create({"name": "Mine", "operation": "receipt"})
        point = self._point("production", self.valve)
        self._produce(self.valve, lot_name="V-R1")
        check = self._checks(point_id=point.id)
        self._inspect(check, fail_items=("Appearance",))
        nonconformity = check.nonconformity_ids.with_user(self.inspector)
        nonconformity.disposition = "sort"
        with self.assertRaises(AccessError):
            nonconformity.action_decide()


@tagged("post_install", "-at_install")
class TestQualityInspections(QualityCase):
    def test_production_point_one_check_per_mo_and_lot(self):
        point = self._point("production", self.valve)
        production = self._produce(self.valve, qty=2, lot_name="V-001")
        check = self._checks(production_id=production.id)
        self.assertEqual(len(check), 1)
        self.assertEqual(check.point_id, point)
        self.assertEqual(check.lot_id.name, "V-001")
        self.assertEqual(check.qty_inspected, 2)
        self.assertEqual(len(check.line_ids), 2)
        self.assertEqual(check.state, "todo")
        # Another product under no point gets no inspection.
        other = self._produce(self.subassembly, qty=1)
        self.assertFalse(self._checks(production_id=other.id))

    def test_category_point(self):
        category = self.env["product.category"].create({"name": "Valves"})
        child = self.env["product.category"].create({"name": "Gate valves", "parent_id": category.id})
        self.valve.categ_id = child
        point = self.Point.create(
            {"name": "Valves", "operation": "production", "product_category_ids": [Command.set(category.ids)]}
        )
        production = self._produce(self.valve, lot_name="V-CAT")
        self.assertEqual(self._checks(production_id=production.id).point_id, point)

    def test_frequency_every_nth(self):
        point = self._point("production", self.valve, frequency="nth", n=2)
        productions = [self._produce(self.valve, lot_name=f"V-N{i}") for i in range(3)]
        inspected = [bool(self._checks(production_id=production.id)) for production in productions]
        self.assertEqual(inspected, [True, False, True])
        self.assertEqual(point.frequency_count, 3)

    def test_limits_and_results(self):
        self._point("production", self.valve)
        production = self._produce(self.valve, qty=10, lot_name="V-LIM")
        check = self._checks(production_id=production.id).with_user(self.inspector)
        measure = check.line_ids.filtered(lambda line: line.kind == "measure")
        measure.measured_value = 12.0
        self.assertEqual(measure.result, "fail")
        measure.measured_value = 10.5
        self.assertEqual(measure.result, "pass")
        with self.assertRaisesRegex(UserError, "record a result for every item"):
            check.action_done()
        self._inspect(check, qty_failed=3)
        self.assertEqual((check.state, check.result), ("fail", "partial"))
        self.assertEqual(check.qty_passed, 7)
        self.assertEqual(check.inspector_id, self.inspector)
        self.assertTrue(check.date_done)
        self.assertEqual(len(check.nonconformity_ids), 1)
        self.assertEqual(check.nonconformity_ids.qty, 3)
        # A double click changes nothing: still one nonconformity.
        check.action_done()
        self.assertEqual(len(check.nonconformity_ids), 1)

    def test_measure_outside_fails_the_inspection(self):
        self._point("production", self.valve)
        production = self._produce(self.valve, lot_name="V-OUT")
        check = self._inspect(self._checks(production_id=production.id), pressure=8.5)
        self.assertEqual((check.state, check.result), ("fail", "fail"))
        self.assertIn("Pressure", check.nonconformity_ids.description)

    def test_receipt_point_and_95_percent_rule(self):
        point = self._point("receipt", self.seal, items=[{"name": "Specification", "serious": True}])
        __, check = self._receive(self.seal, 100, "SR-001")
        self.assertEqual(len(check), 1)
        self.assertEqual((check.point_id, check.partner_id, check.qty_inspected), (point, self.supplier, 100))
        self._inspect(check, qty_failed=4)  # 96 %: no alarm
        self.assertEqual(check.result, "partial")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", check._name), ("res_id", "=", check.id)]
        )
        self.assertFalse(activities)
        __, check2 = self._receive(self.seal, 100, "SR-002")
        self._inspect(check2, qty_failed=6)  # 94 %: quality and purchasing managers told at once
        activities = self.env["mail.activity"].search(
            [("res_model", "=", check2._name), ("res_id", "=", check2.id)]
        )
        self.assertIn(self.quality_manager, activities.user_id)
        self.assertIn(self.buyer, activities.user_id)
        __, check3 = self._receive(self.seal, 10, "SR-003")
        self._inspect(check3, fail_items=("Specification",), qty_failed=0.1)  # serious defect
        self.assertTrue(check3.serious_defect)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", check3._name), ("res_id", "=", check3.id)]
        )
        self.assertIn(self.buyer, activities.user_id)

    def test_receipt_inspection_gets_the_lot_typed_at_validation(self):
        """The receipt is ready (its inspection created) before the storekeeper types the lots:
        validating the receipts fills the lot of each inspection, in one batch; a line received
        in two lots keeps none (its inspection covers both)."""
        self._point("receipt", self.seal)
        receipts = self.env["stock.picking"].create([self._receipt_values(self.seal, 10) for __ in range(3)])
        receipts.action_confirm()
        checks = [self._checks(picking_id=receipt.id) for receipt in receipts]
        self.assertEqual([len(check) for check in checks], [1, 1, 1])
        self.assertFalse(any(check.lot_id for check in checks), "No lot typed yet")
        receipts = receipts.with_user(self.storeman)
        receipts[0].move_ids.move_line_ids.write({"lot_name": "SR-LATE-1", "quantity": 10, "picked": True})
        receipts[1].move_ids.move_line_ids.write({"lot_name": "SR-LATE-2", "quantity": 10, "picked": True})
        split = receipts[2].move_ids
        split.move_line_ids.write({"lot_name": "SR-LATE-3A", "quantity": 6, "picked": True})
        self.env["stock.move.line"].create(
            {
                "move_id": split.id,
                "picking_id": split.picking_id.id,
                "product_id": self.seal.id,
                "product_uom_id": self.seal.uom_id.id,
                "location_id": split.location_id.id,
                "location_dest_id": split.location_dest_id.id,
                "lot_name": "SR-LATE-3B",
                "quantity": 4,
                "picked": True,
            }
        )
        receipts.button_validate()
        self.assertEqual(set(receipts.mapped("state")), {"done"})
        self.assertEqual([check.lot_id.name for check in checks], ["SR-LATE-1", "SR-LATE-2", False])
        # The inspector's list and the report show it; the nonconformity takes it.
        self._inspect(checks[0], fail_items=("Appearance",), qty_failed=10)
        self.assertEqual(checks[0].nonconformity_ids.lot_id.name, "SR-LATE-1")

    def test_delivery_point(self):
        self._point("delivery", self.stocked)
        __, picking = self._sold(self.stocked, 3)
        check = self._checks(picking_id=picking.id)
        self.assertEqual(len(check), 1)
        self.assertEqual((check.operation, check.qty_inspected), ("delivery", 3))
        self._deliver_once_inspected(check, picking)

    def test_creating_checks_of_many_orders_is_batched(self):
        """The inspections of 30 finished MOs cost no more queries than those of 3."""
        self._point("production", self.valve)
        Lot = self.env["stock.lot"]
        productions = self.env["mrp.production"].create(
            [{"product_id": self.valve.id, "product_qty": 1} for __ in range(33)]
        )

        def values(records):
            return [
                {
                    "company_id": self.company.id,
                    "product_id": self.valve.id,
                    "production_id": production.id,
                    "lot_id": Lot.create({"name": f"B-{production.id}", "product_id": self.valve.id}).id,
                    "qty_inspected": 1,
                }
                for production in records
            ]

        small, large = values(productions[:3]), values(productions[3:])
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        self.Check._fulfilment_create_for("production", small)
        small_queries = self.env.cr.sql_log_count - count
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        self.Check._fulfilment_create_for("production", large)
        large_queries = self.env.cr.sql_log_count - count
        self.assertEqual(len(self.Check.search([("production_id", "in", productions.ids)])), 33)
        self.assertLessEqual(large_queries / 30, small_queries / 3)


@tagged("post_install", "-at_install")
class TestQualityGate(QualityCase):
    def test_gate_by_lot(self):
        point = self._point("production", self.valve)
        self._produce(self.valve, lot_name="V-GATE")
        check = self._checks(point_id=point.id)
        __, picking = self._sold(self.valve)
        with self.assertRaisesRegex(UserError, check.name):
            self._deliver(picking)
        self._inspect(check, fail_items=("Appearance",))
        with self.assertRaisesRegex(UserError, check.name):
            self._deliver(picking)
        nonconformity = check.nonconformity_ids.with_user(self.quality_manager)
        nonconformity.disposition = "sort"
        nonconformity.action_decide()
        self.assertEqual(nonconformity.state, "decided")
        self.assertFalse(check.is_blocking)
        self._deliver(picking)
        self.assertEqual(picking.state, "done")

    def test_gate_by_production_untracked(self):
        self._point("production", self.pump)
        order, picking = self._sold(self.pump)
        productions = order._fulfilment_collect_productions()
        self._produce(
            self.subassembly, production=productions.filtered(lambda p: p.product_id == self.subassembly)
        )
        pump_mo = self._produce(
            self.pump, production=productions.filtered(lambda p: p.product_id == self.pump)
        )
        check = self._checks(production_id=pump_mo.id)
        self.assertEqual(len(check), 1)
        self.assertFalse(check.lot_id)
        self._deliver_once_inspected(check, picking)

    def test_gate_off(self):
        self._point("production", self.valve)
        self._produce(self.valve, lot_name="V-OFF")
        self.company.fulfilment_quality_gate = False
        __, picking = self._sold(self.valve)
        self._deliver(picking)
        self.assertEqual(picking.state, "done")

    def test_failed_receipt_not_consumed_until_decided(self):
        self._point("receipt", self.seal)
        __, check = self._receive(self.seal, 20, "SR-MO")
        production = self.env["mrp.production"].create({"product_id": self.sealed.id, "product_qty": 1})
        production.action_confirm()
        # Not inspected yet: may be used.
        self._inspect(check, fail_items=("Appearance",), qty_failed=20)
        with self.assertRaisesRegex(UserError, check.name):
            self._produce(self.sealed, production=production)
        nonconformity = check.nonconformity_ids.with_user(self.quality_manager)
        nonconformity.disposition = "return_supplier"
        # Not all the lot goes back: the return reserves what is left after the MO.
        nonconformity.sudo().qty = 5
        nonconformity.action_decide()
        returned = nonconformity.return_picking_id
        self.assertEqual(returned.location_dest_id.usage, "supplier")
        self.assertEqual(returned.move_ids.product_uom_qty, 5)
        self.assertEqual(nonconformity.lot_id.name, "SR-MO")
        self.assertEqual(returned.move_ids.move_line_ids.lot_id.name, "SR-MO")
        self._produce(self.sealed, production=production)
        self._deliver(returned)
        self.assertEqual(returned.state, "done")

    def test_no_point_no_quality_work(self):
        """With no control point, confirming and delivering runs none of the quality code, and
        costs the same queries as with the quality hooks cut out."""
        StockMove = type(self.env["stock.move"])
        forbidden = patch.multiple(
            StockMove,
            _fulfilment_quality_create_ready_checks=lambda *a, **k: self.fail("quality checks created"),
            _fulfilment_quality_gate=lambda *a, **k: self.fail("quality gate run"),
            _fulfilment_quality_create_production_checks=lambda *a, **k: self.fail("quality checks created"),
        )

        self.env.registry.clear_cache()

        def run():
            self.env.invalidate_all()
            count = self.env.cr.sql_log_count
            __, picking = self._sold(self.stocked, 2)
            self._deliver(picking, user=self.env.user)
            self.assertEqual(picking.state, "done")
            return self.env.cr.sql_log_count - count

        with forbidden:
            run()  # warm the caches
            with_hooks = run()
            with patch.object(StockMove, "_fulfilment_quality_moves", lambda self: self.browse()):
                without_hooks = run()
        self.assertEqual(with_hooks, without_hooks)


@tagged("post_install", "-at_install")
class TestNonconformity(QualityCase):
    def _failed(self, lot_name, point=None):
        point = point or self._point("production", self.valve)
        production = self._produce(self.valve, qty=2, lot_name=lot_name)
        check = self._checks(production_id=production.id)
        self._inspect(check, fail_items=("Appearance",))
        return check.nonconformity_ids.with_user(self.quality_manager)

    def test_scrap(self):
        nonconformity = self._failed("V-SCRAP")
        nonconformity.disposition = "scrap"
        nonconformity.action_decide()
        scrap = nonconformity.scrap_id
        self.assertEqual(scrap.state, "done")
        self.assertEqual((scrap.lot_id, scrap.scrap_qty), (nonconformity.lot_id, 2))
        self.assertEqual(self.valve.with_context(lot_id=nonconformity.lot_id.id).qty_available, 0)
        nonconformity.action_close()
        self.assertEqual(nonconformity.state, "closed")
        with self.assertRaisesRegex(UserError, "cannot change"):
            nonconformity.disposition = "sort"

    def test_concession_sign_off(self):
        nonconformity = self._failed("V-CONC")
        __, picking = self._sold(self.valve, 2)
        nonconformity.with_user(self.inspector).disposition = "concession"
        nonconformity.action_decide()
        self.assertEqual(nonconformity.state, "open")
        self.assertEqual(nonconformity.review_state, "pending")
        with self.assertRaisesRegex(UserError, "waiting for its sign-offs"):
            nonconformity.action_decide()
        with self.assertRaisesRegex(UserError, nonconformity.check_id.name):
            self._deliver(picking)
        # The inspector who opened it may not sign; the general manager does.
        with self.assertRaises(UserError):
            nonconformity.with_user(self.inspector).action_review_approve()
        nonconformity.with_user(self.general_manager).action_review_approve()
        self.assertEqual(nonconformity.review_state, "approved")
        self.assertEqual(nonconformity.state, "decided")
        self._deliver(picking)
        self.assertEqual(picking.state, "done")

    def test_rework_tells_operator_and_supervisor(self):
        nonconformity = self._failed("V-RW")
        nonconformity.disposition = "rework"
        nonconformity.action_decide()
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "mrp.production"), ("res_id", "=", nonconformity.production_id.id)]
        )
        self.assertIn(self.operator, activities.user_id)
        self.assertIn(self.supervisor, activities.user_id)
        self.assertEqual(nonconformity.state, "decided")

    def test_state_cannot_be_written(self):
        nonconformity = self._failed("V-ST")
        with self.assertRaises(UserError):
            nonconformity.write({"state": "closed"})
        with self.assertRaisesRegex(UserError, "choose a disposition"):
            nonconformity.action_decide()
        with self.assertRaisesRegex(UserError, "decide the disposition before closing"):
            nonconformity.action_close()

    def test_escalation_clock(self):
        nonconformity = self._failed("V-ESC").sudo()
        self.assertFalse(nonconformity._escalate_to_head())
        nonconformity.write(
            {
                "classify_deadline": "2020-01-01 08:00:00",
                "head_deadline": "2020-01-01 08:30:00",
            }
        )
        self.assertEqual(nonconformity._escalate_to_head(), nonconformity)
        self.assertFalse(nonconformity._escalate_to_head())  # once
        self.assertEqual(nonconformity._escalate_to_manager(), nonconformity)
        self.assertFalse(nonconformity._escalate_to_manager())
        activities = self.env["mail.activity"].search(
            [("res_model", "=", nonconformity._name), ("res_id", "=", nonconformity.id)]
        )
        self.assertIn(self.quality_manager, activities.user_id)
        self.assertIn(self.general_manager, activities.user_id)
        self.assertEqual(len(activities.filtered(lambda a: a.user_id == self.quality_manager)), 1)
        # The minutes are the company's; the automation rules read the deadlines.
        self.company.fulfilment_quality_head_minutes = 10
        later = self._failed("V-ESC2", point=nonconformity.check_id.point_id)
        self.assertEqual((later.head_deadline - later.classify_deadline).total_seconds(), 600)
        automation = self.env.ref("order_fulfilment.fulfilment_nonconformity_automation_head")
        self.assertEqual(automation.trg_date_id.name, "classify_deadline")

    def test_ticket_opens_nonconformity(self):
        agent = staff_user(self.env, "qc_agent", "order_fulfilment.group_aftersales_user")
        lot = self.env["stock.lot"].create({"name": "V-TK", "product_id": self.valve.id})
        order, __ = self._sold(self.valve)
        ticket = self.env["fulfilment.ticket"].create(
            {
                "partner_id": self.customer.id,
                "order_id": order.id,
                "product_id": self.valve.id,
                "lot_id": lot.id,
                "description": "Leaks at the flange",
            }
        )
        action = ticket.with_user(agent).action_open_nonconformity()
        nonconformity = self.env["fulfilment.nonconformity"].browse(action["res_id"])
        self.assertEqual(
            (nonconformity.ticket_id, nonconformity.lot_id, nonconformity.order_id, nonconformity.product_id),
            (ticket, lot, order, self.valve),
        )
        again = ticket.with_user(agent).action_open_nonconformity()
        self.assertEqual(again["res_id"], nonconformity.id)
