"""Rules that the forms show (read-only fields, field domains) hold for a JSON-RPC client too."""

from odoo.tests import HttpCase, tagged

from .common import FulfilmentCase, JsonRpcMixin, RpcError, staff_user


@tagged("post_install", "-at_install")
class TestModelRulesRpc(JsonRpcMixin, HttpCase, FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = staff_user(cls.env, "rules_agent", "order_fulfilment.group_aftersales_user")
        cls.agent2 = staff_user(cls.env, "rules_agent2", "order_fulfilment.group_aftersales_user")
        cls.plain = staff_user(cls.env, "rules_plain", "base.group_user", name="Pat Plain")
        cls.seller = staff_user(cls.env, "rules_seller", "sales_team.group_sale_salesman")
        cls.other_customer = cls.env["res.partner"].create({"name": "Dalian Pipe Co"})
        cls.lot = cls.env["stock.lot"].create({"name": "FK-0042", "product_id": cls.stocked.id})

        # A delivered order of the customer, whose documents a ticket could point at.
        cls.order = cls._create_order([(cls.stocked, 2, 50.0)])
        cls.order.action_confirm()
        cls.picking = cls.order.picking_ids

        # Handled tickets (resolved, closed, cancelled): the customer and the product only.
        Ticket = cls.env["fulfilment.ticket"]
        values = {"partner_id": cls.customer.id, "product_id": cls.stocked.id, "description": "Leaks"}
        cls.resolved, cls.closed, cls.cancelled, cls.open_ticket = Ticket.create(
            [dict(values) for __ in range(4)]
        )
        for ticket in cls.resolved | cls.closed:
            ticket.action_assign(user_id=cls.agent.id)
            ticket.action_contact()
            ticket.resolution = "repair"
            ticket.action_resolve()
        cls.closed.action_close()
        cls.cancelled.action_cancel()

    # ------------------------------------------------------------------
    # After-sales tickets
    # ------------------------------------------------------------------
    def test_handled_ticket_keeps_what_was_handled(self):
        self.authenticate("rules_agent", "rules_agent")
        changes = [
            ("partner_id", self.other_customer.id, "Customer"),
            ("order_id", self.order.id, "Sales Order"),
            ("picking_id", self.picking.id, "Delivery"),
            ("product_id", self.pump.id, "Product"),
            ("lot_id", self.lot.id, "Lot/Serial Number"),
            ("resolution", "refund", "Resolution"),
        ]
        for ticket, state in (
            (self.resolved, "Resolved"),
            (self.closed, "Closed"),
            (self.cancelled, "Cancelled"),
        ):
            before = ticket.read([fname for fname, __, __ in changes])
            for fname, value, label in changes:
                with (
                    self.subTest(ticket=state, field=fname),
                    self.assertRaisesRegex(
                        RpcError, rf"UserError: Ticket {ticket.name} is {state}: its {label} cannot change"
                    ),
                ):
                    self._call("fulfilment.ticket", "write", ticket.ids, {fname: value})
            ticket.invalidate_recordset()
            self.assertEqual(ticket.read([fname for fname, __, __ in changes]), before)
            # The same values again, and the fields that stay open, are no change.
            self._call(
                "fulfilment.ticket",
                "write",
                ticket.ids,
                {
                    "partner_id": self.customer.id,
                    "product_id": self.stocked.id,
                    "order_id": False,
                    "resolution": ticket.resolution,
                    "description": "Leaks at the flange",
                },
            )
            self.assertEqual(ticket.description, "Leaks at the flange")
        # An open ticket still changes, and the addon's own writes (as superuser) still may.
        self._call("fulfilment.ticket", "write", self.open_ticket.ids, {"lot_id": self.lot.id})
        self.assertEqual(self.open_ticket.lot_id, self.lot)
        self.closed.sudo().write({"resolution": "refund"})
        self.assertEqual(self.closed.resolution, "refund")

    def test_tickets_go_to_agents_only(self):
        self.authenticate("rules_agent", "rules_agent")
        ticket = self.open_ticket
        with self.assertRaisesRegex(
            RpcError, rf"UserError: Pat Plain is not an after-sales agent.*{ticket.name}"
        ):
            self._call("fulfilment.ticket", "write", ticket.ids, {"user_id": self.plain.id})
        with self.assertRaisesRegex(RpcError, "UserError: Pat Plain is not an after-sales agent"):
            self._call(
                "fulfilment.ticket",
                "create",
                {"partner_id": self.customer.id, "description": "Noisy", "user_id": self.plain.id},
            )
        with self.assertRaisesRegex(RpcError, "UserError: Pat Plain is not an after-sales agent"):
            self._call("fulfilment.ticket", "action_assign", ticket.ids, user_id=self.plain.id)
        ticket.invalidate_recordset()
        self.assertFalse(ticket.user_id)
        self.assertFalse(self.env["fulfilment.ticket"].search([("user_id", "=", self.plain.id)]))
        # Agents are fine, by every way (taking the tickets themselves: assigning a colleague
        # e-mails them, from the acting user's address).
        self._call("fulfilment.ticket", "write", ticket.ids, {"user_id": self.agent.id})
        self.assertEqual(ticket.user_id, self.agent)
        self._call("fulfilment.ticket", "action_assign", ticket.ids)
        self.assertEqual((ticket.user_id, ticket.state), (self.agent, "assigned"))
        new_id = self._call(
            "fulfilment.ticket",
            "create",
            {"partner_id": self.customer.id, "description": "Noisy", "user_id": self.agent.id},
        )
        self.assertEqual(self.env["fulfilment.ticket"].browse(new_id).user_id, self.agent)

    # ------------------------------------------------------------------
    # Rush flag
    # ------------------------------------------------------------------
    def test_rush_flag_frozen_on_cancelled_and_locked_orders(self):
        cancelled = self._create_order(user=self.seller)
        cancelled._action_cancel()
        locked = self._create_order([(self.stocked, 1, 50.0)], user=self.seller)
        locked.action_confirm()
        locked.action_lock()
        self.authenticate("rules_seller", "rules_seller")
        for order in (cancelled, locked):
            for vals in ({"is_rush": True, "rush_reason": "Line down"}, {"rush_reason": "Line down"}):
                with (
                    self.subTest(order=order.state, vals=vals),
                    self.assertRaisesRegex(
                        RpcError, rf"UserError: {order.name} is locked or cancelled, so its rush flag"
                    ),
                ):
                    self._call("sale.order", "write", order.ids, vals)
            order.invalidate_recordset()
            self.assertEqual((order.is_rush, order.rush_reason), (False, False))
            # No change, or other fields, pass.
            self._call("sale.order", "write", order.ids, {"is_rush": False, "rush_reason": False})
            self._call("sale.order", "write", order.ids, {"client_order_ref": "PO-77"})
            self.assertEqual(order.client_order_ref, "PO-77")
        # The same write that unlocks the order may set the flag.
        self._call(
            "sale.order", "write", locked.ids, {"locked": False, "is_rush": True, "rush_reason": "Line down"}
        )
        self.assertEqual((locked.is_rush, locked.locked), (True, False))

    def test_rush_flag_system_writes_still_pass(self):
        rush = self._create_order(user=self.seller, is_rush=True, rush_reason="Key customer")
        self.authenticate("rules_seller", "rules_seller")
        # Cancelling an open rush order, even clearing the flag in the same write, works.
        self._call("sale.order", "action_cancel", rush.ids)
        self.assertEqual((rush.state, rush.is_rush), ("cancel", True))
        self._call("sale.order", "action_draft", rush.ids)
        self._call(
            "sale.order", "write", rush.ids, {"state": "cancel", "is_rush": False, "rush_reason": False}
        )
        self.assertEqual((rush.state, rush.is_rush), ("cancel", False))
        # The addon's own writes (as superuser) are not a user's edit.
        rush.sudo().write({"is_rush": True, "rush_reason": "Restored by an import"})
        self.assertTrue(rush.is_rush)
