import json

from odoo import Command
from odoo.tests import Form, TransactionCase, new_test_user


def staff_user(env, login, groups, **values):
    """An internal user as an admin creates one: a login, a password (= login) and the groups
    of the job, but no e-mail address (factory staff often have none)."""
    return new_test_user(env, login=login, groups=groups, email=False, **values)


def only_in(company):
    """The values of a user who works in ``company`` only."""
    return {"company_id": company.id, "company_ids": [Command.set(company.ids)]}


def users_of(env, *specs, factory=new_test_user):
    """One user per (login, groups, name) row, in order, made by ``factory`` (``new_test_user``, or
    ``staff_user`` for users without an e-mail address)."""
    return [factory(env, login=login, groups=groups, name=name) for login, groups, name in specs]


def delivered_goods(order, picking, product, **values):
    """The values of a ticket about ``product`` of ``order`` delivered by ``picking``."""
    return {"order_id": order.id, "picking_id": picking.id, "product_id": product.id, **values}


# The people of the tests, by role: their groups and their name (their logins differ from case to case).
STAFF = {
    "manager": ("sales_team.group_sale_manager", "Mia Manager"),
    "director": ("order_fulfilment.group_sales_director", "Dan Director"),
    "salesman2": ("sales_team.group_sale_salesman", "Otto Other"),
    "producer": ("order_fulfilment.group_review_production", "Pat Production"),
    "producer2": ("order_fulfilment.group_review_production", "Paul Production"),
    "engineer": ("order_fulfilment.group_review_technical", "Tess Technical"),
    "buyer": ("order_fulfilment.group_review_purchasing", "Pia Purchasing"),
    "finance": ("order_fulfilment.group_review_finance", "Fay Finance"),
    "agent": ("order_fulfilment.group_aftersales_user", "Alice Agent"),
    "as_manager": ("order_fulfilment.group_aftersales_manager", "Mark Manager"),
    "agent_sales": (
        "order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman_all_leads,stock.group_stock_user",
        "Sam Service",
    ),
    "plain": ("base.group_user", "Pat Plain"),
    "planner": ("mrp.group_mrp_user,stock.group_stock_user", "Pu Planner"),
    "store": ("stock.group_stock_user", "Shi Store"),
    "inspector": ("order_fulfilment.group_review_quality", "Qian Inspector"),
    "qmanager": ("order_fulfilment.group_quality_manager", "Qu Quality Manager"),
    "gm": ("order_fulfilment.group_general_manager", "Gao General Manager"),
}


def roster(env, prefix, *roles, factory=new_test_user):
    """One user per role of ``STAFF``, in order, with the login ``<prefix>_<role>``."""
    return users_of(env, *((f"{prefix}_{role}", *STAFF[role]) for role in roles), factory=factory)


def load_chinese(env):
    """Chinese (zh_CN) active with the addon's translations, nothing cached from before."""
    env["res.lang"]._activate_lang("zh_CN")
    env["ir.module.module"]._load_module_terms(["order_fulfilment"], ["zh_CN"], overwrite=True)
    env.invalidate_all()
    env.registry.clear_cache()


class QuietCase(TransactionCase):
    """The company and its warehouse, in an environment that tracks no change and logs no creation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id


class FulfilmentCase(QuietCase):
    """Products with a two-level BoM (MTO + Manufacture), users of every role, a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.route_mto = cls.env.ref("stock.route_warehouse0_mto")
        cls.route_mto.active = True
        cls.route_manufacture = cls.warehouse.manufacture_pull_id.route_id
        cls.uom_unit = cls.env.ref("uom.product_uom_unit")

        Product = cls.env["product.product"]
        cls.component = Product.create(
            {"name": "Impeller blank", "is_storable": True, "standard_price": 10.0}
        )
        cls.subassembly = Product.create(
            {
                "name": "Pump motor",
                "is_storable": True,
                "route_ids": [Command.set([cls.route_mto.id, cls.route_manufacture.id])],
            }
        )
        cls.pump = Product.create(
            {
                "name": "Centrifugal pump",
                "is_storable": True,
                "list_price": 1000.0,
                "route_ids": [Command.set([cls.route_mto.id, cls.route_manufacture.id])],
            }
        )
        cls.stocked = Product.create({"name": "Flange kit", "is_storable": True, "list_price": 50.0})
        Bom = cls.env["mrp.bom"]
        cls.bom_subassembly = Bom.create(
            {
                "product_tmpl_id": cls.subassembly.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": cls.component.id, "product_qty": 2})],
            }
        )
        cls.bom_pump = Bom.create(
            {
                "product_tmpl_id": cls.pump.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": cls.subassembly.id, "product_qty": 1}),
                    Command.create({"product_id": cls.component.id, "product_qty": 4}),
                ],
            }
        )
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.component, cls.stock_location, 1000)
        Quant._update_available_quantity(cls.stocked, cls.stock_location, 1000)

        cls.customer = cls.env["res.partner"].create(
            {"name": "Harbin Water Works", "email": "buyer@example.com"}
        )
        cls.salesman = new_test_user(
            cls.env, login="of_salesman", groups="sales_team.group_sale_salesman", name="Sally Sales"
        )

    @classmethod
    def _create_order(cls, lines=None, partner=None, user=None, **values):
        """A quotation; lines are (product, qty, price) tuples."""
        lines = lines or [(cls.pump, 1, 1000.0)]
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "user_id": (user or cls.salesman).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty, "price_unit": price})
                    for product, qty, price in lines
                ],
                **values,
            }
        )

    @classmethod
    def _load_chart(cls):
        """A chart of accounts for the company (invoices and payments), unless it has one."""
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company=cls.company, install_demo=False
            )

    @classmethod
    def _delivery(cls, order):
        """The order's delivery still to ship."""
        return order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )

    @classmethod
    def _pick(cls, picking, qty=None):
        """Reserve ``picking`` and pick all it asks for (or ``qty`` of each move): ready to validate."""
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
        picking.move_ids.picked = True
        return picking

    @classmethod
    def _ship(cls, order, qty=None, backorder=True):
        """Ship the order's open delivery (``_pick``); what is short makes a backorder, or none
        with ``backorder=False``."""
        picking = cls._pick(cls._delivery(order), qty)
        res = picking.button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = Form(cls.env["stock.backorder.confirmation"].with_context(**res["context"])).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        return picking

    def _confirm_wizard(self, model, user, values, **context):
        """Open the wizard ``model`` as ``user`` with ``context`` (its defaults), fill in ``values``
        and confirm it."""
        form = Form(self.env[model].with_user(user).with_context(**context))
        for name, value in values.items():
            setattr(form, name, value)
        return form.save().action_confirm()

    def _produce(self, production):
        """Produce all of ``production`` and mark it done."""
        production.action_assign()
        form = Form(production)
        form.qty_producing = production.product_qty
        form.save()
        production.button_mark_done()
        self.assertEqual(production.state, "done")


class RpcError(Exception):
    """An error a JSON-RPC call answered with: "<ExceptionName>: <message>"; ``name`` is the
    exception's name alone (UserError, AccessError...)."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name


class JsonRpcMixin:
    """``_call(model, method, *args, **kwargs)`` as the web client sends it (an HttpCase that
    authenticated first); an error answer raises ``RpcError``."""

    def _call(self, model, method, *args, **kwargs):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            data = body["error"]["data"]
            raise RpcError(data["name"].rsplit(".", 1)[-1], data["message"])
        return body.get("result")  # no "result" when the method returned None
