"""Repairs (维修) from after-sales tickets: the repair order, its link both ways, the resolve gate
and the rights of an after-sales agent without an e-mail address."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import FulfilmentCase, JsonRpcMixin, RpcError, staff_user
from .test_fulfilment_ticket import TicketCase

DELIVERED = datetime(2026, 3, 2, 9, 0, 0)


class RepairCase(TicketCase):
    """A serial-tracked pump with a year of warranty, delivered to the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serial_pump = cls.env["product.product"].create(
            {
                "name": "Booster pump",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 800.0,
                "fulfilment_warranty_months": 12,
            }
        )
        cls.order, cls.picking, cls.lots = cls._deliver_serials(
            cls.serial_pump, ["BP-001", "BP-002"], DELIVERED
        )
        cls.lot = cls.lots[0]
        cls.stock_user = staff_user(cls.env, "of_storekeeper", "stock.group_stock_user", name="Shi Stock")

    @classmethod
    def _deliver_serials(cls, product, names, when):
        Lot = cls.env["stock.lot"]
        lots = Lot.create([{"name": name, "product_id": product.id} for name in names])
        for lot in lots:
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, 1, lot_id=lot)
        order, picking = cls._sell_and_ship(product, len(lots), when)
        return order, picking, lots

    @classmethod
    def _sell_and_ship(cls, product, qty, when):
        """An order of ``qty`` ``product`` confirmed and shipped at ``when``: the order, its delivery."""
        order = cls._create_order([(product, qty, 800.0)])
        with freeze_time(when):
            order.action_confirm()
            picking = order.picking_ids
            picking.action_assign()
            picking.move_ids.picked = True
            picking.button_validate()
        return order, picking

    def _repair_ticket(self, user=None, **vals):
        values = {
            "ticket_type": "repair",
            "order_id": self.order.id,
            "picking_id": self.picking.id,
            "product_id": self.serial_pump.id,
            "lot_id": self.lot.id,
            "description": "Seal leaks",
        }
        values.update(vals)
        return self._ticket(user=user, **values)


@tagged("post_install", "-at_install")
class TestTicketRepair(RepairCase):
    def test_create_repair_links_both_ways(self):
        with freeze_time(datetime(2026, 6, 1, 9, 0, 0)):
            ticket = self._repair_ticket()
        action = ticket.with_user(self.agent).action_create_repair()
        repair = ticket.repair_id.with_user(self.env.user)  # the workshop, with inventory rights
        self.assertTrue(repair)
        self.assertEqual(action["res_model"], "repair.order")
        self.assertEqual(action["res_id"], repair.id)
        self.assertEqual(repair.fulfilment_ticket_id, ticket)
        self.assertEqual(repair.product_id, self.serial_pump)
        self.assertEqual(repair.lot_id, self.lot)
        self.assertEqual(repair.partner_id, self.customer)
        self.assertEqual(repair.company_id, ticket.company_id)
        self.assertEqual(repair.sale_order_id, self.order)
        self.assertEqual(ticket.repair_state, "draft")
        # A second click opens the same repair: one repair per ticket.
        again = ticket.with_user(self.agent).action_create_repair()
        self.assertEqual(again["res_id"], repair.id)
        self.assertEqual(self.env["repair.order"].search_count([("fulfilment_ticket_id", "=", ticket.id)]), 1)
        # The ticket shows the repair's state as it moves.
        repair._action_repair_confirm()
        self.assertEqual(ticket.repair_state, "confirmed")

    def test_create_repair_refused(self):
        complaint = self._ticket(product_id=self.stocked.id)
        with self.assertRaisesRegex(UserError, f"Ticket {complaint.name} is not a repair"):
            complaint.with_user(self.agent).action_create_repair()
        no_product = self._ticket(ticket_type="repair")
        with self.assertRaisesRegex(UserError, "set the product to repair first"):
            no_product.with_user(self.agent).action_create_repair()
        cancelled = self._repair_ticket()
        cancelled.with_user(self.agent).action_cancel()
        with self.assertRaisesRegex(UserError, "it cannot be given a repair"):
            cancelled.with_user(self.agent).action_create_repair()
        with self.assertRaisesRegex(UserError, "Only after-sales agents"):
            self._repair_ticket().with_user(self.plain_user).action_create_repair()
        self.assertFalse((complaint | no_product | cancelled).repair_id)

    def test_link_is_set_by_the_ticket_only(self):
        ticket = self._repair_ticket()
        other = self.env["repair.order"].create(
            {"product_id": self.stocked.id, "partner_id": self.customer.id}
        )
        with self.assertRaisesRegex(UserError, "repair_id"):
            ticket.with_user(self.agent).write({"repair_id": other.id})
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            other.with_user(self.stock_user).write({"fulfilment_ticket_id": ticket.id})
        with self.assertRaisesRegex(UserError, "Create Repair button"):
            self.env["repair.order"].with_user(self.stock_user).create(
                {"product_id": self.stocked.id, "fulfilment_ticket_id": ticket.id}
            )
        self.assertFalse(ticket.repair_id)

    def test_resolve_needs_the_repair_done_or_cancelled(self):
        ticket = self._repair_ticket()
        ticket.action_assign(user_id=self.agent.id)
        ticket.action_contact()
        ticket.with_user(self.agent).write({"resolution": "repair"})
        ticket.with_user(self.agent).action_create_repair()
        repair = ticket.repair_id.with_user(self.env.user)  # the workshop, with inventory rights
        with self.assertRaisesRegex(
            UserError, f"Ticket {ticket.name}: repair {repair.name} is New. Finish or cancel the repair"
        ):
            ticket.with_user(self.agent).action_resolve()
        self.assertEqual(ticket.state, "assigned")
        repair.action_repair_cancel()
        ticket.with_user(self.agent).action_resolve()
        self.assertEqual(ticket.state, "resolved")

    def test_resolve_after_the_repair_is_done(self):
        # An untracked product in stock: the repair goes through to the end.
        order, picking = self._delivered_order(qty=2)
        ticket = self._ticket(
            ticket_type="repair", order_id=order.id, picking_id=picking.id, product_id=self.stocked.id
        )
        ticket.action_assign(user_id=self.agent.id)
        ticket.action_contact()
        ticket.with_user(self.agent).write({"resolution": "repair"})
        ticket.with_user(self.agent).action_create_repair()
        repair = ticket.repair_id.with_user(self.env.user)  # the workshop, with inventory rights
        self.assertFalse(repair.lot_id)
        repair.action_validate()
        repair.action_repair_start()
        with self.assertRaisesRegex(UserError, "is Under Repair"):
            ticket.with_user(self.agent).action_resolve()
        repair.action_repair_end()
        self.assertEqual(ticket.repair_state, "done")
        ticket.with_user(self.agent).action_resolve()
        self.assertEqual(ticket.state, "resolved")


@tagged("post_install", "-at_install")
class TestTicketRepairRpc(JsonRpcMixin, HttpCase, FulfilmentCase):
    """An after-sales agent without an e-mail address, over JSON-RPC as the web client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = staff_user(
            cls.env, "rep_agent", "order_fulfilment.group_aftersales_user", name="Rui Repair"
        )
        cls.ticket = cls.env["fulfilment.ticket"].create(
            {
                "partner_id": cls.customer.id,
                "ticket_type": "repair",
                "product_id": cls.stocked.id,
                "description": "Flange cracked",
            }
        )

    def test_agent_creates_and_follows_the_repair(self):
        self.assertFalse(self.agent.email)
        self.authenticate("rep_agent", "rep_agent")
        ticket_ids = self.ticket.ids
        self._call("fulfilment.ticket", "action_assign", ticket_ids)
        self._call("fulfilment.ticket", "action_contact", ticket_ids)
        action = self._call("fulfilment.ticket", "action_create_repair", ticket_ids)
        self.assertEqual(action["res_model"], "repair.order")
        repair = self.env["repair.order"].browse(action["res_id"])
        self.assertEqual(repair.fulfilment_ticket_id, self.ticket)
        self.assertEqual(
            self._call("fulfilment.ticket", "action_create_repair", ticket_ids)["res_id"], repair.id
        )
        # The agent opens the repair, and reads its state on the ticket.
        self._call("repair.order", "web_read", [repair.id], specification={"name": {}, "state": {}})
        [row] = self._call("fulfilment.ticket", "read", ticket_ids, ["repair_id", "repair_state"])
        self.assertEqual(row["repair_id"][0], repair.id)
        self.assertEqual(row["repair_state"], "draft")
        # Resolving waits for the repair, for a JSON-RPC client too.
        self._call("fulfilment.ticket", "write", ticket_ids, {"resolution": "repair"})
        with self.assertRaisesRegex(RpcError, "UserError: .*Finish or cancel the repair"):
            self._call("fulfilment.ticket", "action_resolve", ticket_ids)
        with self.assertRaisesRegex(RpcError, "UserError: .*repair_id"):
            self._call("fulfilment.ticket", "write", ticket_ids, {"repair_id": False})
        self._call("repair.order", "action_repair_cancel", [repair.id])
        self._call("fulfilment.ticket", "action_resolve", ticket_ids)
        self.assertEqual(self.ticket.state, "resolved")
