"""The after-sales part of the demo story: demo data only, never called by the addon's business code.

Booster pumps BP-40 with serial numbers, delivered to the Harbin waterworks two months ago: one
came back with a leaking seal; its repair ticket (in warranty, free of charge) made a repair
order that the workshop has started, and the serial's form lists that service history. The
Jilin cooperative wrote to the after-sales address about a pump of an order: the e-mail opened a
ticket (in warranty) and got its acknowledgement; the agent asked for a video and waits for the
customer.
"""

from datetime import timedelta, timezone
from email.utils import format_datetime, make_msgid

from odoo import Command, api, fields, models
from odoo.tools import SQL

SERIALS = ["BP40-2601", "BP40-2602"]

INCOMING = """Return-Path: <{address}>
To: {alias}
From: {sender}
Subject: {subject}
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 8bit
Date: {date}
Message-ID: {msg_id}

{body}
"""


class FulfilmentDemo(models.AbstractModel):
    _inherit = "fulfilment.demo"

    @api.model
    def _create_aftersales_story(self):
        ref = self.env.ref
        people = {
            key: ref(f"order_fulfilment.user_demo_{key}") for key in ("salesman", "aftersales", "production")
        }
        self._repair_story(people)
        self._email_story(people)

    @api.model
    def _repair_story(self, people):
        """Two serial-numbered pumps delivered two months ago; one is under repair in warranty."""
        ref = self.env.ref
        pump = ref("order_fulfilment.product_demo_serial_pump")
        customer = ref("order_fulfilment.partner_demo_waterworks")
        stock = ref("stock.warehouse0").lot_stock_id
        lots = self.env["stock.lot"].create([{"name": name, "product_id": pump.id} for name in SERIALS])
        for lot in lots:
            self.env["stock.quant"]._update_available_quantity(pump, stock, 1, lot_id=lot)
        salesman = people["salesman"]
        placed = self._local(70, 10)
        order = self._create_as(
            salesman,
            "sale.order",
            {
                "partner_id": customer.id,
                "user_id": salesman.id,
                "client_order_ref": "PO-2490",
                "order_line": [Command.create({"product_id": pump.id, "product_uom_qty": len(lots)})],
            },
        )
        order.with_user(salesman).action_confirm()
        arrived = self._local(60, 15)
        picking = self._deliver(order, arrived)
        # The serials left the factory that day: their warranty runs from it.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE stock_move_line SET date = %s WHERE id IN %s",
                arrived - timedelta(hours=4),
                tuple(picking.move_line_ids.ids),
            )
        )
        self.env.invalidate_all()
        lots.fulfilment_refresh_first_delivery()
        order.write({"date_order": placed})
        self._backdate(order, placed, salesman)
        self._backdate(picking, placed + timedelta(hours=1))

        agent = people["aftersales"]
        ticket = self._create_as(
            agent,
            "fulfilment.ticket",
            {
                "partner_id": customer.id,
                "order_id": order.id,
                "picking_id": picking.id,
                "product_id": pump.id,
                "lot_id": lots[0].id,
                "ticket_type": "repair",
                "description": "The mechanical seal of pump BP40-2601 leaks after two months of service.",
            },
        )
        as_agent = ticket.with_user(agent)
        as_agent.action_assign()
        as_agent.action_contact(
            note="Called the station: the pump comes back to the workshop for a new seal."
        )
        as_agent.write({"resolution": "repair"})
        as_agent.action_start()
        as_agent.action_create_repair()
        # The workshop confirms the repair and starts it.
        repair = ticket.repair_id.with_user(people["production"])
        repair._action_repair_confirm()
        repair.action_repair_start()

    @api.model
    def _email_story(self, people):
        """The company's after-sales address; a customer's e-mail about an order opens a ticket."""
        ref = self.env.ref
        company = self._company()
        company.alias_domain_id = ref("order_fulfilment.mail_alias_domain_demo")
        company._fulfilment_set_aftersales_alias("support")
        customer = ref("order_fulfilment.partner_demo_farm")
        pump = ref("order_fulfilment.product_demo_standard_pump")
        order = self.env["sale.order"].search(
            [
                ("partner_id", "=", customer.id),
                ("state", "=", "sale"),
                ("order_line.product_id", "=", pump.id),
            ],
            order="date_order desc",
            limit=1,
        )
        now = fields.Datetime.now()
        message = INCOMING.format(
            address=customer.email,
            alias=company.fulfilment_aftersales_alias_id.alias_full_name,
            sender=f'"{customer.name}" <{customer.email}>',
            subject=f"{order.name}: a pump vibrates at full speed",
            date=format_datetime(now.replace(tzinfo=timezone.utc)),
            msg_id=make_msgid(domain="jilin-coop.example.com"),
            body="<p>One of the CP-25 pumps you delivered vibrates strongly at full speed. "
            "Can you send a technician?</p><p>Wang Wei<br>Jilin Agricultural Cooperative</p>",
        )
        ticket_id = self.env["mail.thread"].message_process(None, message)
        ticket = self.env["fulfilment.ticket"].browse(ticket_id)
        agent = people["aftersales"]
        as_agent = ticket.with_user(agent)
        as_agent.write({"ticket_type": "complaint", "product_id": pump.id})
        as_agent.action_assign()
        as_agent.action_contact(note="Asked the cooperative for a video of the pump running at full speed.")
        as_agent.action_wait_customer()
