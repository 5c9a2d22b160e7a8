import base64
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import FulfilmentCase


@tagged("post_install", "-at_install")
class TestControls(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_chart()
        Partner = cls.env["res.partner"]
        cls.customer_b = Partner.create(
            {"name": "Dalian Irrigation", "is_company": True, "fulfilment_customer_class": "B"}
        )
        cls.customer_c = Partner.create(
            {"name": "Changchun Building", "is_company": True, "fulfilment_customer_class": "C"}
        )
        cls.contact_c = Partner.create({"name": "Li Wei", "parent_id": cls.customer_c.id})
        cls.finance = new_test_user(
            cls.env,
            login="of_finance",
            name="Fiona Finance",
            groups="sales_team.group_sale_salesman_all_leads,order_fulfilment.group_review_finance",
        )
        cls.finance_group = cls.env.ref("order_fulfilment.group_review_finance")

    # Helpers ------------------------------------------------------------
    def _confirmed_order(self, partner, qty=10, **values):
        order = self._create_order([(self.stocked, qty, 50.0)], partner=partner, **values)
        order.action_confirm()
        return order

    def _ship(self, order, qty=None, backorder=True):
        picking = super()._ship(order, qty, backorder)
        self.assertEqual(picking.state, "done")
        return picking

    def _pay(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        return invoice

    def _notes(self, record):
        return " ".join(record.message_ids.mapped("body"))

    # Customer class -----------------------------------------------------
    def test_customer_class_follows_company(self):
        self.assertEqual(self.customer.fulfilment_customer_class, "A", "Unclassified customers are class A")
        self.assertEqual(self.contact_c.fulfilment_customer_class, "C")
        self.customer_c.fulfilment_customer_class = "B"
        self.assertEqual(self.contact_c.fulfilment_customer_class, "B", "A contact follows its company")
        order = self._create_order(partner=self.contact_c)
        self.assertEqual(order.fulfilment_customer_class, "B")
        self.customer_c.fulfilment_customer_class = "C"
        self.assertEqual(order.fulfilment_customer_class, "C")
        self.assertIn(order, self.env["sale.order"].search([("fulfilment_customer_class", "=", "C")]))
        groups = self.env["sale.order"].read_group(
            [("id", "=", order.id)], ["fulfilment_customer_class"], ["fulfilment_customer_class"]
        )
        self.assertEqual(groups[0]["fulfilment_customer_class"], "C")
        with Form(self.env["res.partner"]) as partner_form:
            partner_form.name = "Jilin Pumps"
            partner_form.company_type = "company"
            partner_form.fulfilment_customer_class = "B"
        self.assertEqual(partner_form.record.fulfilment_customer_class, "B")

    def test_class_a_ships_on_contract_terms(self):
        order = self._confirmed_order(self.customer)
        self.assertTrue(order.delivery_released)
        self._ship(order)
        self.assertEqual(order.order_line.qty_delivered, 10)

    # Release by payment -------------------------------------------------
    def test_class_b_waits_for_payment(self):
        order = self._confirmed_order(self.customer_b)
        self.assertFalse(order.delivery_released)
        picking = self._pick(self._delivery(order))
        with self.assertRaisesRegex(
            UserError, f"{order.name}.*waiting for payment.*{self.finance_group.name}"
        ):
            picking.button_validate()
        # The private path refuses as well, whatever calls it.
        with self.assertRaisesRegex(UserError, order.name):
            picking._action_done()
        self.assertEqual(picking.state, "assigned")

        invoice = order._create_invoices()
        invoice.action_post()
        self.assertFalse(order.delivery_released, "A posted but unpaid invoice does not release the delivery")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(order.delivery_released)
        self.assertFalse(order.fulfilment_released_by_id)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_partial_payment_keeps_waiting(self):
        order = self._confirmed_order(self.customer_c)
        invoice = order._create_invoices()
        invoice.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": invoice.amount_total / 2})._create_payments()
        self.assertEqual(invoice.payment_state, "partial")
        self.assertFalse(order.delivery_released)

    # Release by finance --------------------------------------------------
    def test_release_by_finance_only(self):
        order = self._confirmed_order(self.customer_c)
        self.assertFalse(order.delivery_released)
        as_salesman = order.with_user(self.salesman)
        with self.assertRaisesRegex(AccessError, self.finance_group.name):
            as_salesman.action_release_delivery()
        with self.assertRaises(AccessError):
            as_salesman.write({"fulfilment_released_by_id": self.salesman.id})
        self.assertFalse(order.delivery_released)

        # A warehouse user who cannot read the order is refused with the reason, not an access error.
        stock_user = new_test_user(self.env, login="of_stock", groups="stock.group_stock_user")
        picking = self._pick(self._delivery(order))
        with self.assertRaisesRegex(UserError, order.name):
            picking.with_user(stock_user).button_validate()

        order.with_user(self.finance).action_release_delivery()
        self.assertTrue(order.delivery_released)
        self.assertEqual(order.fulfilment_released_by_id, self.finance)
        self.assertTrue(order.fulfilment_released_date)
        released_notes = order.message_ids.filtered(lambda m: "Delivery released" in (m.body or ""))
        self.assertEqual(len(released_notes), 1)
        self.assertEqual(released_notes.author_id, self.finance.partner_id)
        # A second click changes nothing.
        order.with_user(self.finance).action_release_delivery()
        self.assertEqual(len(order.message_ids.filtered(lambda m: "Delivery released" in (m.body or ""))), 1)
        picking.with_user(stock_user).button_validate()
        self.assertEqual(picking.state, "done")

    def test_other_transfers_never_blocked(self):
        """Receipts, internal transfers and returns of a class C customer go through."""
        order = self._confirmed_order(self.customer)
        delivery = self._ship(order)
        # The customer is reclassified: the order waits for payment again, but returns still work.
        self.customer.fulfilment_customer_class = "C"
        self.assertFalse(order.delivery_released)
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=delivery.ids, active_id=delivery.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 2
        return_picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self._pick(return_picking, 2).button_validate()
        self.assertEqual(return_picking.state, "done")

        for picking_type in (self.warehouse.in_type_id, self.warehouse.int_type_id):
            picking = self.env["stock.picking"].create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": self.customer_c.id,
                    "location_id": picking_type.default_location_src_id.id
                    or self.env.ref("stock.stock_location_suppliers").id,
                    "location_dest_id": picking_type.default_location_dest_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": self.stocked.name,
                                "product_id": self.stocked.id,
                                "product_uom_qty": 3,
                                "product_uom": self.uom_unit.id,
                                "location_id": picking_type.default_location_src_id.id
                                or self.env.ref("stock.stock_location_suppliers").id,
                                "location_dest_id": picking_type.default_location_dest_id.id,
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()
            self._pick(picking).button_validate()
            self.assertEqual(picking.state, "done", picking_type.name)

    # Short shipment ------------------------------------------------------
    def test_short_shipment_needs_consent(self):
        self.company.fulfilment_require_short_consent = True
        order = self._confirmed_order(self.customer, qty=10)
        picking = self._pick(self._delivery(order), qty=6)
        with self.assertRaisesRegex(UserError, f"{picking.name} ships less than ordered"):
            picking.button_validate()
        with self.assertRaisesRegex(UserError, "ships less than ordered"):
            picking.with_context(cancel_backorder=False)._action_done()
        self.assertEqual(picking.state, "assigned")

        picking.short_shipment_consent = "Mr Zhang (buyer) agreed by phone on 3 March"
        res = picking.button_validate()
        self.assertEqual(res["res_model"], "stock.backorder.confirmation", "Odoo asks about the backorder")
        Form(self.env["stock.backorder.confirmation"].with_context(**res["context"])).save().process()
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.fulfilment_short_shipped)
        backorder = self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
        self.assertEqual(backorder.move_ids.product_uom_qty, 4, "The backorder keeps the missing quantity")
        self.assertEqual(order.order_line.qty_delivered, 6)
        self.assertIn("Mr Zhang (buyer) agreed by phone", self._notes(order))
        self.assertEqual(
            self.env["stock.picking"].search(
                [("fulfilment_short_shipped", "=", True), ("sale_id", "=", order.id)]
            ),
            picking,
        )

    def test_short_shipment_without_setting(self):
        """Nothing configured: Odoo ships partially as usual, and the delivery is flagged."""
        self.assertFalse(self.company.fulfilment_require_short_consent)
        order = self._confirmed_order(self.customer, qty=10)
        picking = self._ship(order, qty=7)
        self.assertTrue(picking.fulfilment_short_shipped)
        self.assertEqual(self._delivery(order).move_ids.product_uom_qty, 3)

    def test_full_shipment_needs_no_consent(self):
        self.company.fulfilment_require_short_consent = True
        order = self._confirmed_order(self.customer, qty=5)
        picking = self._ship(order)
        self.assertFalse(picking.fulfilment_short_shipped)

    # Shipment notice -----------------------------------------------------
    def test_shipment_notice_on_order(self):
        self.company.write(
            {
                "stock_move_email_validation": True,
                "stock_mail_confirmation_template_id": self.env.ref(
                    "stock.mail_template_data_delivery_confirmation"
                ).id,
            }
        )
        order = self._confirmed_order(self.customer, qty=2)
        picking = self._ship(order)
        self.assertIn(f"was told by e-mail that delivery {picking.name} has shipped", self._notes(order))

    # Proof of delivery ---------------------------------------------------
    def test_proof_of_delivery_and_missing_filter(self):
        Picking = self.env["stock.picking"]
        with freeze_time("2026-03-02 09:00:00"):
            order = self._confirmed_order(self.customer, qty=2)
            with self.assertRaisesRegex(UserError, "done delivery"):
                self._delivery(order).action_confirm_pod()
            picking = self._ship(order)
        with freeze_time("2026-03-08 09:00:00"):
            self.assertFalse(picking.fulfilment_pod_missing)
            self.assertNotIn(picking, Picking.search([("fulfilment_pod_missing", "=", True)]))
        with freeze_time("2026-03-10 09:00:00"):
            picking.invalidate_recordset(["fulfilment_pod_missing"])
            self.assertTrue(picking.fulfilment_pod_missing)
            self.assertIn(picking, Picking.search([("fulfilment_pod_missing", "=", True)]))
            self.assertNotIn(picking, Picking.search([("fulfilment_pod_missing", "=", False)]))
            # The company allows more days: not missing yet.
            self.company.fulfilment_pod_days = 10
            self.assertNotIn(picking, Picking.search([("fulfilment_pod_missing", "=", True)]))
            self.company.fulfilment_pod_days = 7

            wizard_form = Form(
                self.env["fulfilment.pod.wizard"].with_context(
                    active_model="stock.picking", active_id=picking.id
                )
            )
            self.assertEqual(wizard_form.picking_id, picking)
            wizard_form.pod_date = datetime(2026, 3, 4, 15, 0)
            wizard_form.document = base64.b64encode(b"%PDF-1.4 signed")
            wizard = wizard_form.save()
            wizard.document_name = "pod.pdf"
            wizard.action_confirm()
            self.assertEqual(picking.fulfilment_pod_date, datetime(2026, 3, 4, 15, 0))
            self.assertEqual(picking.fulfilment_pod_attachment_id.name, "pod.pdf")
            self.assertNotIn(picking, Picking.search([("fulfilment_pod_missing", "=", True)]))
            self.assertIn("Signed proof of delivery received", self._notes(order))
            # A second confirmation keeps the first date.
            picking.action_confirm_pod()
            self.assertEqual(picking.fulfilment_pod_date, datetime(2026, 3, 4, 15, 0))

    def test_pod_date_must_be_sensible(self):
        order = self._confirmed_order(self.customer, qty=1)
        picking = self._ship(order)
        with self.assertRaisesRegex(UserError, "future"):
            picking.action_confirm_pod(pod_date=fields.Datetime.now() + timedelta(days=2))
        with self.assertRaisesRegex(UserError, "before the delivery was validated"):
            picking.action_confirm_pod(pod_date=picking.date_done - timedelta(days=1))
        self.assertFalse(picking.fulfilment_pod_date)

    def test_missing_pod_reminder_once(self):
        Picking = self.env["stock.picking"]
        with freeze_time("2026-03-02 09:00:00"):
            order = self._confirmed_order(self.customer, qty=2)
            picking = self._ship(order)
            Picking._cron_remind_missing_pod()
            self.assertFalse(order.activity_ids, "Not due yet")
        with freeze_time("2026-03-12 09:00:00"):
            Picking._cron_remind_missing_pod()
            self.assertEqual(len(order.activity_ids), 1)
            self.assertEqual(order.activity_ids.user_id, self.salesman)
            self.assertIn(picking.name, order.activity_ids.summary)
            self.assertTrue(picking.fulfilment_pod_reminded)
            Picking._cron_remind_missing_pod()
            self.assertEqual(len(order.activity_ids), 1, "The salesperson is reminded once")

    # On time in full -----------------------------------------------------
    def test_on_time_in_full_early(self):
        order = self._confirmed_order(
            self.customer, qty=4, commitment_date=fields.Datetime.now() + timedelta(days=3)
        )
        self.assertFalse(order.fulfilment_fully_delivered)
        self._ship(order)
        self.assertTrue(order.fulfilment_fully_delivered)
        self.assertTrue(order.on_time_in_full)
        self.assertIn(order, self.env["sale.order"].search([("on_time_in_full", "=", True)]))

    def test_on_time_in_full_late(self):
        with freeze_time("2026-03-02 09:00:00"):
            order = self._confirmed_order(self.customer, qty=4, commitment_date=datetime(2026, 3, 5, 9, 0))
        with freeze_time("2026-03-07 09:00:00"):
            self._ship(order)
        self.assertTrue(order.fulfilment_fully_delivered)
        self.assertFalse(order.on_time_in_full)

    def test_on_time_in_full_uses_proof_of_delivery(self):
        with freeze_time("2026-03-02 09:00:00"):
            order = self._confirmed_order(self.customer, qty=4, commitment_date=datetime(2026, 3, 4, 9, 0))
            picking = self._ship(order)
            self.assertTrue(order.on_time_in_full)
        with freeze_time("2026-03-09 09:00:00"):
            picking.action_confirm_pod(pod_date=datetime(2026, 3, 6, 10, 0))
        self.assertFalse(order.on_time_in_full, "The goods arrived after the commitment date")

    def test_on_time_in_full_partial(self):
        with freeze_time("2026-03-02 09:00:00"):
            order = self._confirmed_order(self.customer, qty=10, commitment_date=datetime(2026, 3, 5, 9, 0))
            self._ship(order, qty=6)
            self.assertFalse(order.fulfilment_fully_delivered, "A backorder is still open")
            self.assertFalse(order.on_time_in_full)
        with freeze_time("2026-03-06 09:00:00"):
            self._ship(order)
        self.assertTrue(order.fulfilment_fully_delivered)
        self.assertFalse(order.on_time_in_full, "The rest came a day late")

    def _closed_short(self, shipped, ordered):
        """An order due in three days, its delivery validated short with the backorder cancelled."""
        order = self._confirmed_order(
            self.customer, qty=ordered, commitment_date=fields.Datetime.now() + timedelta(days=3)
        )
        picking = self._pick(self._delivery(order), qty=shipped)
        res = picking.button_validate()
        Form(
            self.env["stock.backorder.confirmation"].with_context(**res["context"])
        ).save().process_cancel_backorder()
        return order, picking

    def test_done_quantity_corrected_after_delivery(self):
        """A done quantity corrected in the unlocked delivery changes what was delivered, though
        the delivery stays done: the order's delivery figures follow."""
        order, picking = self._closed_short(shipped=6, ordered=10)
        self.assertFalse(order.fulfilment_fully_delivered)
        picking.action_toggle_is_locked()
        picking.move_ids.quantity = 10
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 10)
        self.assertTrue(order.fulfilment_fully_delivered)
        self.assertTrue(order.on_time_in_full)

    def test_short_closed_order_is_not_in_full(self):
        order, picking = self._closed_short(shipped=6, ordered=10)
        self.assertEqual(picking.state, "done")
        self.assertFalse(self._delivery(order))
        self.assertFalse(order.fulfilment_fully_delivered)
        self.assertFalse(order.on_time_in_full)
