from datetime import datetime

from lxml import etree

from odoo import Command
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import FulfilmentCase, JsonRpcMixin, load_chinese


def _user(env, login, groups, name):
    """An internal user with a login and a password, holding only the given groups."""
    return env["res.users"].create(
        {
            "name": name,
            "login": login,
            "password": f"{login}-pass-2026",
            "groups_id": [Command.set([env.ref(xmlid).id for xmlid in groups])],
        }
    )


def _arch(env, model, view_xmlid, view_type):
    """The arch of a view, with the views that inherit from it, as the web client gets it."""
    view = env.ref(view_xmlid)
    return etree.fromstring(env[model].get_view(view.id, view_type)["arch"])


@tagged("post_install", "-at_install")
class TestDepartments(FulfilmentCase):
    """Sign-offs name a department, the same way everywhere."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.group_production = cls.env.ref("order_fulfilment.group_review_production")
        cls.producer = _user(
            cls.env, "of_scr_producer", ["order_fulfilment.group_review_production"], "Pia Producer"
        )
        cls.Rule = cls.env["fulfilment.review.rule"]

    def test_department_defaults_to_the_group_name(self):
        rule = self.Rule.create({"name": "Capacity", "group_id": self.group_production.id})
        self.assertEqual(rule.department, "Production Reviewer", "the group's name, not its full name")
        empty = self.Rule.create({"name": "Capacity", "group_id": self.group_production.id, "department": ""})
        self.assertEqual(empty.department, "Production Reviewer", "an empty label takes the group's name")
        rule.department = "Production Department"
        self.assertEqual(rule.department, "Production Department")
        self.assertEqual(self.Rule.search([("department", "=", "Production Department")]), rule)
        rule.write({"department": False})
        self.assertEqual(rule.department, "Production Reviewer", "cleared, it reads the group's name again")
        self.assertEqual(
            self.Rule.search([("department", "ilike", "production rev"), ("id", "in", (rule | empty).ids)]),
            rule | empty,
        )
        rule.write({"department": "Production Reviewer"})
        self.assertFalse(rule.department_label, "the group's own name is no label: it follows the group")
        rule.write({"group_id": self.env.ref("order_fulfilment.group_review_finance").id})
        self.assertEqual(rule.department, "Finance Reviewer", "another group: the name of that group")

    def test_shipped_rules_read_as_departments(self):
        manager_rule = self.env.ref("order_fulfilment.fulfilment_review_rule_change_sales_manager")
        self.assertEqual(manager_rule.group_id, self.env.ref("sales_team.group_sale_manager"))
        self.assertEqual(manager_rule.department, "Sales Management", "not the group's name 'Administrator'")
        director_rule = self.env.ref("order_fulfilment.fulfilment_review_rule_change_sales_director")
        self.assertEqual(director_rule.department, "Sales Director")

    def test_reviews_messages_and_report_show_the_department(self):
        self.Rule.create(
            {
                "name": "Capacity",
                "group_id": self.group_production.id,
                "department": "Production Department",
            }
        )
        order = self._create_order()
        self.assertEqual(order.review_requirement.split(":")[0], "Production Department")
        order.with_user(self.salesman).action_request_review()
        review = order.review_ids
        self.assertEqual(review.department, "Production Department")
        self.assertEqual(review.display_name, "Production Department", "not 'Order Fulfilment / ...'")
        activities = self.env["mail.activity"].search([("fulfilment_review_id", "=", review.id)])
        self.assertIn(self.producer, activities.user_id)
        self.assertEqual(set(activities.mapped("summary")), {"Production Department review"})
        self.assertIn("is waiting for Production Department", order._review_blocking_message())
        # A rule relabelled later: its open reviews follow.
        review.rule_id.department = "Planning"
        self.assertEqual(review.department, "Planning")
        # The rejection as _decide() records it (without its notifications).
        review.sudo().write({"state": "rejected", "comment": "No capacity", "reviewer_id": self.producer.id})
        self.assertEqual(order.review_rejection, "Planning: No capacity")
        html = str(
            self.env["ir.actions.report"]._render_qweb_html(
                "order_fulfilment.fulfilment_review_report", order.ids
            )[0]
        )
        self.assertIn("Planning", html)
        self.assertNotIn(self.group_production.full_name, html)

    def test_review_without_rule_names_the_group(self):
        """A review added by a change request policy has no rule: the group's own name."""
        order = self._create_order()
        order._review_request(extra={order.id: [(self.group_production, 10, "Production started")]})
        self.assertEqual(order.review_ids.department, "Production Reviewer")

    def test_views_show_the_department(self):
        for xmlid, view_type in (
            ("order_fulfilment.fulfilment_review_view_list", "list"),
            ("order_fulfilment.fulfilment_review_view_list_document", "list"),
            ("order_fulfilment.fulfilment_review_view_form", "form"),
            ("order_fulfilment.fulfilment_review_rule_view_list", "list"),
            ("order_fulfilment.fulfilment_review_rule_view_form", "form"),
        ):
            model = self.env.ref(xmlid).model
            arch = _arch(self.env, model, xmlid, view_type)
            self.assertTrue(arch.xpath("//field[@name='department']"), xmlid)
        arch = _arch(self.env, "fulfilment.review", "order_fulfilment.fulfilment_review_view_form", "form")
        self.assertTrue(arch.xpath("//h1/field[@name='department']"), "the form is titled by the department")
        arch = _arch(
            self.env, "fulfilment.review", "order_fulfilment.fulfilment_review_view_search", "search"
        )
        [group_by] = arch.xpath("//filter[@name='group_department']")
        self.assertEqual(safe_eval(group_by.get("context"))["group_by"], "department")


@tagged("post_install", "-at_install")
class TestDepartmentsRpc(JsonRpcMixin, HttpCase):
    """A JSON-RPC client creating a rule gets the department label too."""

    def test_rpc_rule_gets_the_department(self):
        _user(
            self.env,
            "of_scr_rpc_manager",
            ["order_fulfilment.group_fulfilment_manager", "sales_team.group_sale_manager"],
            "Rita Rules",
        )
        self.authenticate("of_scr_rpc_manager", "of_scr_rpc_manager-pass-2026")
        group = self.env.ref("order_fulfilment.group_review_quality")

        rule_id = self._call(
            "fulfilment.review.rule", "create", {"name": "Quality standard", "group_id": group.id}
        )
        self.assertEqual(
            self._call("fulfilment.review.rule", "read", [rule_id], ["department"])[0]["department"],
            "Quality Reviewer",
        )
        self._call("fulfilment.review.rule", "write", [rule_id], {"department": "Quality Department"})
        self._call("fulfilment.review.rule", "write", [rule_id], {"department": ""})
        self.assertEqual(
            self._call("fulfilment.review.rule", "read", [rule_id], ["department"])[0]["department"],
            "Quality Reviewer",
        )


@tagged("post_install", "-at_install")
class TestScreensChinese(FulfilmentCase):
    """Chinese users read the departments in Chinese, the English users in English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.env.ref("order_fulfilment.group_review_production")
        # A rule made before the company turns Chinese on.
        cls.rule = cls.env["fulfilment.review.rule"].create({"name": "Capacity", "group_id": cls.group.id})
        load_chinese(cls.env)
        cls.env_zh = cls.env(context=dict(cls.env.context, lang="zh_CN"))

    def test_department_labels_in_chinese(self):
        manager_rule = self.env_zh.ref("order_fulfilment.fulfilment_review_rule_change_sales_manager")
        self.assertEqual(manager_rule.department, "销售管理")
        self.assertEqual(manager_rule.with_context(lang="en_US").department, "Sales Management")
        director_rule = self.env_zh.ref("order_fulfilment.fulfilment_review_rule_change_sales_director")
        self.assertEqual(director_rule.department, "销售总监")
        self.assertEqual(self.rule.with_context(lang="zh_CN").department, "生产评审员")

    def test_review_keeps_the_department_in_every_language(self):
        order = self._create_order()
        order.with_context(lang="zh_CN").with_user(self.salesman).action_request_review()
        review = order.review_ids.filtered(lambda r: r.rule_id == self.rule)
        self.assertEqual(review.with_context(lang="zh_CN").department, "生产评审员")
        self.assertEqual(review.with_context(lang="en_US").department, "Production Reviewer")

    def test_new_change_request_in_chinese(self):
        values = self.env_zh["fulfilment.change.request"].default_get(["name"])
        self.assertEqual(values["name"], "新建")


@tagged("post_install", "-at_install")
class TestListsAndFigures(FulfilmentCase):
    """Lists add up only what adds up, and show numbers the same way in every view."""

    def test_grouped_rules_do_not_add_up_thresholds(self):
        Rule = self.env["fulfilment.review.rule"]
        group = self.env.ref("order_fulfilment.group_review_production")
        Rule.create(
            [
                {
                    "name": "A",
                    "group_id": group.id,
                    "min_amount": 1000,
                    "min_discount": 5,
                    "response_hours": 8,
                },
                {
                    "name": "B",
                    "group_id": group.id,
                    "min_amount": 2000,
                    "min_discount": 10,
                    "response_hours": 4,
                },
            ]
        )
        fnames = ["min_amount", "min_discount", "response_hours", "sequence"]
        described = Rule.fields_get(fnames, ["aggregator"])
        for fname in fnames:
            self.assertFalse(described[fname].get("aggregator"), fname)
        [group_row] = Rule.read_group([("name", "in", ("A", "B"))], fnames, ["applies_to"])
        self.assertEqual(group_row["applies_to_count"], 2)
        for fname in fnames:
            self.assertNotIn(fname, group_row, f"{fname} is not summed over a group")

    def test_response_time_reads_the_same_in_list_and_form(self):
        for xmlid, view_type in (
            ("order_fulfilment.fulfilment_review_rule_view_list", "list"),
            ("order_fulfilment.fulfilment_review_rule_view_form", "form"),
        ):
            arch = _arch(self.env, "fulfilment.review.rule", xmlid, view_type)
            [field] = arch.xpath("//field[@name='response_hours']")
            self.assertEqual(field.get("widget"), "float_time", xmlid)

    def test_analysis_columns(self):
        Analysis = self.env["fulfilment.analysis"]
        arch = _arch(
            Analysis.env, "fulfilment.analysis", "order_fulfilment.fulfilment_analysis_view_list", "list"
        )
        columns = {field.get("name"): field for field in arch.xpath("/list/field")}
        for fname in ("date", "commitment_date", "delivered_date"):
            self.assertTrue(columns[fname].get("width"), f"{fname}: dates are not cut")
        for fname, field in columns.items():
            if Analysis._fields[fname].type in ("integer", "float") and field.get("optional") != "hide":
                self.assertTrue(field.get("width"), f"{fname}: the header is not cut")
        # On time in full as a rate (%), not as 1/0.
        self.assertNotEqual(columns["otif_count"].get("optional"), "show")
        self.assertIn("otif_rate", columns)
        self.assertIn("(%)", Analysis._fields["otif_rate"].string)
        # The review lead time: hours as a number, as in the pivot (which has no widgets).
        self.assertFalse(columns["review_lead_hours"].get("widget"))
        self.assertIn("(Hours)", Analysis._fields["review_lead_hours"].string)
        pivot = _arch(
            Analysis.env, "fulfilment.analysis", "order_fulfilment.fulfilment_analysis_view_pivot", "pivot"
        )
        self.assertTrue(pivot.xpath("//field[@name='review_lead_hours'][@type='measure']"))

    def test_badges_and_headers_have_room(self):
        arch = _arch(self.env, "sale.order", "sale.view_quotation_tree", "list")
        [badge] = arch.xpath("//field[@name='review_state']")
        self.assertGreaterEqual(int(badge.get("width", "0px").removesuffix("px")), 120)
        arch = _arch(
            self.env,
            "fulfilment.change.request",
            "order_fulfilment.fulfilment_change_request_view_form",
            "form",
        )
        lines = arch.xpath("//field[@name='line_ids']/list")[0]
        for fname in ("old_qty", "new_qty", "old_price_unit", "new_price_unit", "production_started"):
            [field] = lines.xpath(f"field[@name='{fname}']")
            self.assertTrue(field.get("width"), fname)

    def test_rush_card_separates_customer_and_reason(self):
        arch = _arch(self.env, "sale.order", "order_fulfilment.sale_order_view_kanban_rush", "kanban")
        [customer] = arch.xpath("//field[@name='partner_id']")
        [reason] = arch.xpath("//field[@name='rush_reason']")
        self.assertEqual(customer.getparent().tag, "div")
        self.assertEqual(reason.getparent().tag, "div")
        self.assertIsNot(customer.getparent(), reason.getparent(), "one line each")


@tagged("post_install", "-at_install")
class TestStatesOnScreen(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Qingdao Pumps", "is_company": True, "fulfilment_customer_class": "B"}
        )

    def test_waiting_for_payment_only_on_confirmed_orders(self):
        quotation = self._create_order([(self.stocked, 1, 50.0)], partner=self.customer_b)
        confirmed = self._create_order([(self.stocked, 1, 50.0)], partner=self.customer_b)
        confirmed.action_confirm()
        self.assertFalse(quotation.delivery_released or confirmed.delivery_released)
        search = _arch(self.env, "sale.order", "sale.view_sales_order_filter", "search")
        [waiting] = search.xpath("//filter[@name='fulfilment_waiting_payment']")
        domain = safe_eval(waiting.get("domain"))
        found = self.env["sale.order"].search(domain + [("id", "in", (quotation | confirmed).ids)])
        self.assertEqual(found, confirmed, "a quotation does not wait for payment")
        form = _arch(self.env, "sale.order", "sale.view_order_form", "form")
        [badge] = form.xpath("//div[i[@title='Waiting for payment']]")
        invisible = badge.get("invisible")
        for order, hidden in ((quotation, True), (confirmed, False)):
            values = {"delivery_released": order.delivery_released, "state": order.state}
            self.assertEqual(bool(safe_eval(invisible, values)), hidden, order.state)

    def test_unsaved_change_request_is_titled_new(self):
        order = self._create_order([(self.stocked, 5, 50.0)])
        order.action_confirm()
        Request = self.env["fulfilment.change.request"].with_user(self.salesman)
        form = Form(Request.with_context(default_order_id=order.id, default_change_type="date"))
        self.assertEqual(form.name, "New")
        form.reason = "The customer moves the date"
        form.new_commitment_date = datetime(2030, 1, 10, 8, 0)
        request = form.save()
        self.assertTrue(request.name.startswith("CR/"), "the number is given when it is saved")

    def test_unsaved_change_request_shows_the_real_states(self):
        order = self._create_order([(self.pump, 1, 1000.0)])
        order.action_confirm()
        mos = order.mrp_production_ids
        self.assertTrue(mos)
        self.assertEqual(set(mos.mapped("state")), {"confirmed"})
        pickings = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        Request = self.env["fulfilment.change.request"].with_user(self.salesman)
        spec = {
            "order_id": {},
            "change_type": {},
            "affected_production_ids": {"fields": {"state": {}, "fulfilment_current_state": {}}},
            "affected_picking_ids": {"fields": {"state": {}, "fulfilment_current_state": {}}},
        }
        # The form opened from the order ("Request Change"), not saved yet.
        result = Request.with_context(default_order_id=order.id, default_change_type="cancel").onchange(
            {}, [], spec
        )

        def shown(fname):
            """{id: values} of the lines as the client shows them, after the link and update commands."""
            lines = {}
            for command in result["value"][fname]:
                if command[0] == Command.LINK:
                    lines[command[1]] = dict(command[2])
                elif command[0] == Command.UPDATE:
                    lines[command[1]].update(command[2])
            return lines

        productions = shown("affected_production_ids")
        children = self.env["mrp.production"].union(*(mo._get_children() for mo in mos))
        self.assertEqual(set(productions), set((mos | children).ids))
        for production in self.env["mrp.production"].browse(productions):
            self.assertEqual(productions[production.id]["fulfilment_current_state"], production.state)
        deliveries = shown("affected_picking_ids")
        self.assertEqual(set(deliveries), set(pickings.ids))
        for picking in pickings:
            self.assertEqual(deliveries[picking.id]["fulfilment_current_state"], picking.state)
        arch = _arch(
            self.env,
            "fulfilment.change.request",
            "order_fulfilment.fulfilment_change_request_view_form",
            "form",
        )
        for fname in ("affected_production_ids", "affected_picking_ids"):
            [impact] = arch.xpath(f"//page[@name='impact']//field[@name='{fname}']/list")
            self.assertTrue(impact.xpath("field[@name='fulfilment_current_state']"), fname)
            self.assertFalse(impact.xpath("field[@name='state']"), f"{fname}: the state of the unsaved copy")
