import importlib.util
from pathlib import Path

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import FulfilmentCase

# The fulfilment settings of a new company.
COMPANY_DEFAULTS = {
    "fulfilment_cutoff_hour": 17.25,
    "fulfilment_rush_lead_days": 1,
    "fulfilment_standard_lead_days": 3,
    "fulfilment_expedite_days": 2,
    "fulfilment_change_response_minutes": 30,
    "fulfilment_started_change_policy": "block",
    "aftersales_assign_minutes": 60,
    "aftersales_contact_minutes": 120,
    "fulfilment_sla_use_calendar": False,
}


@tagged("post_install", "-at_install")
class TestInstall(FulfilmentCase):
    def _assert_settings(self, company, expected):
        for name, value in expected.items():
            with self.subTest(setting=name):
                self.assertEqual(company[name], value)

    def test_company_defaults(self):
        company = self.env["res.company"].create({"name": "New Pump Works"})
        self._assert_settings(company, COMPANY_DEFAULTS)

    def test_settings_round_trip(self):
        saved = {
            "fulfilment_cutoff_hour": 16.5,
            "fulfilment_rush_lead_days": 2,
            "fulfilment_standard_lead_days": 5,
            "fulfilment_expedite_days": 3,
            "fulfilment_change_response_minutes": 45,
            "fulfilment_started_change_policy": "re_review",
            "aftersales_assign_minutes": 30,
            "aftersales_contact_minutes": 90,
            "fulfilment_sla_use_calendar": True,
        }
        self.assertEqual(saved.keys(), COMPANY_DEFAULTS.keys(), "every default is round-tripped")
        with Form(self.env["res.config.settings"]) as settings:
            for name, value in saved.items():
                setattr(settings, name, value)
        settings.save().execute()
        self._assert_settings(self.env.company, saved)
        # A fresh settings form shows what was saved.
        self.assertEqual(Form(self.env["res.config.settings"]).fulfilment_cutoff_hour, 16.5)

    def test_settings_refuse_nonsense(self):
        Company = self.env["res.company"]
        with self.assertRaisesRegex(ValidationError, "Pump A: the order cut-off hour"):
            Company.create({"name": "Pump A", "fulfilment_cutoff_hour": 25})
        with self.assertRaisesRegex(ValidationError, "rush lead days"):
            Company.create(
                {"name": "Pump B", "fulfilment_rush_lead_days": 5, "fulfilment_standard_lead_days": 3}
            )
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            Company.create({"name": "Pump C", "fulfilment_expedite_days": -1})
        with self.assertRaisesRegex(ValidationError, "at least one minute"):
            Company.create({"name": "Pump D", "aftersales_assign_minutes": 0})

    def test_groups_in_category(self):
        category = self.env.ref("order_fulfilment.module_category_order_fulfilment")
        xmlids = [
            "group_review_technical",
            "group_review_production",
            "group_review_quality",
            "group_review_purchasing",
            "group_review_finance",
            "group_sales_director",
            "group_general_manager",
            "group_aftersales_user",
            "group_aftersales_manager",
            "group_fulfilment_manager",
        ]
        groups = self.env["res.groups"].browse([self.env.ref(f"order_fulfilment.{x}").id for x in xmlids])
        self.assertEqual(groups.category_id, category)
        manager = self.env.ref("order_fulfilment.group_fulfilment_manager")
        self.assertLessEqual(groups - manager, manager.trans_implied_ids)
        self.assertIn(
            self.env.ref("order_fulfilment.group_aftersales_user"),
            self.env.ref("order_fulfilment.group_aftersales_manager").implied_ids,
        )

    def test_demo_story_is_not_in_business_models(self):
        """The demo story lives with the demo (fulfilment.demo, demo/fulfilment_demo.py)."""
        self.assertIn("fulfilment.demo", self.env)
        for model in ("sale.order", "fulfilment.review", "fulfilment.change.request", "fulfilment.ticket"):
            demo_methods = [name for name in dir(type(self.env[model])) if name.startswith("_demo")]
            self.assertEqual(demo_methods, [], f"{model} carries demo code")

    def test_nonstandard_flag_on_product_form(self):
        with Form(self.env["product.template"]) as product:
            product.name = "Custom impeller"
            product.fulfilment_nonstandard = True
        self.assertTrue(product.record.fulfilment_nonstandard)

    def test_stock_flow_unchanged(self):
        """No rules configured: an MTO manufactured product confirms, manufactures and ships as usual."""
        order = self._create_order([(self.pump, 2, 1000.0), (self.stocked, 3, 50.0)])
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        productions = self.env["mrp.production"].search([("origin", "like", order.name)])
        # The pump MO, and the sub-assembly MO its MTO component pulls.
        mo_pump = productions.filtered(lambda p: p.product_id == self.pump)
        mo_sub = self.env["mrp.production"].search([("product_id", "=", self.subassembly.id)])
        self.assertEqual(mo_pump.product_qty, 2)
        self.assertEqual(mo_sub.product_qty, 2)
        self.assertEqual(order.mrp_production_count, len(mo_pump | mo_sub))
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.priority, "0")
        # Produce the sub-assembly, then the pump.
        for production in (mo_sub, mo_pump):
            self._produce(production)
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        picking.move_ids.quantity = 0
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.order_line.mapped("qty_delivered"), [2.0, 3.0])


@tagged("post_install", "-at_install")
class TestMigration(FulfilmentCase):
    def test_renamed_release_fields_keep_their_values(self):
        """18.0.1.2.0 renames delivery_released_by_id/_date: a database of the previous version
        keeps who released an order and when."""
        order = self._create_order()
        self.env.cr.execute(
            "UPDATE sale_order SET fulfilment_released_by_id = %s, fulfilment_released_date = now() "
            "WHERE id = %s",
            [self.env.uid, order.id],
        )
        # The database as the previous version left it.
        for old, new in (
            ("delivery_released_by_id", "fulfilment_released_by_id"),
            ("delivery_released_date", "fulfilment_released_date"),
        ):
            self.env.cr.execute(
                SQL("ALTER TABLE sale_order RENAME COLUMN %s TO %s", SQL.identifier(new), SQL.identifier(old))
            )
            self.env.cr.execute(
                "UPDATE ir_model_fields SET name = %s WHERE model = 'sale.order' AND name = %s", [old, new]
            )
        path = Path(__file__).parent.parent / "migrations" / "18.0.1.2.0" / "pre-migration.py"
        spec = importlib.util.spec_from_file_location("pre_migration", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(order.fulfilment_released_by_id, self.env.user)
        self.assertTrue(order.fulfilment_released_date)
        self.assertTrue(self.env["ir.model.fields"]._get("sale.order", "fulfilment_released_by_id"))
