import re
from pathlib import Path

import polib

from odoo.exceptions import UserError
from odoo.modules import get_module_path
from odoo.tests import TransactionCase, tagged

# Python-format placeholders (%(name)s, %s, %d, %%) and the HTML tags of a message.
PLACEHOLDER = re.compile(r"%\([a-zA-Z0-9_]+\)[sdfr]|%[sdfr]|%%")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def _po_path():
    return Path(get_module_path("order_fulfilment")) / "i18n" / "zh_CN.po"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["order_fulfilment"], ["zh_CN"], overwrite=True)
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()
        cls.env_zh = cls.env(context=dict(cls.env.context, lang="zh_CN"))

    def test_menus_in_chinese(self):
        menus = {
            "order_fulfilment.fulfilment_menu_root": "订单履约",
            "order_fulfilment.fulfilment_review_menu": "评审",
            "order_fulfilment.fulfilment_ticket_menu": "售后服务",
            "order_fulfilment.fulfilment_analysis_menu": "订单履约",
            "order_fulfilment.fulfilment_ticket_analysis_menu": "售后服务时限",
        }
        for xmlid, expected in menus.items():
            self.assertEqual(self.env_zh.ref(xmlid).name, expected, xmlid)
        # The same menus stay in English for English users.
        self.assertEqual(
            self.env.ref("order_fulfilment.fulfilment_menu_root").with_context(lang="en_US").name,
            "Fulfilment",
        )

    def test_field_labels_in_chinese(self):
        fields_model = self.env_zh["ir.model.fields"]
        labels = {
            ("sale.order", "review_state"): "评审状态",
            ("sale.order", "is_rush"): "紧急订单",
            ("sale.order", "fulfilment_promise_date"): "承诺交期",
            ("sale.order", "fulfilment_customer_class"): "客户等级",
            ("fulfilment.ticket", "sla_state"): "服务时限",
            ("fulfilment.ticket", "assign_deadline"): "分派时限",
            ("fulfilment.ticket", "contact_deadline"): "联系时限",
            ("fulfilment.ticket", "satisfaction"): "满意度",
            ("fulfilment.analysis", "otif_rate"): "订单履约率（%）",
            ("fulfilment.analysis", "days_late"): "延误天数",
            ("fulfilment.ticket.analysis", "sla_met_rate"): "服务时限达成率（%）",
        }
        for (model, name), expected in labels.items():
            self.assertEqual(fields_model._get(model, name).field_description, expected, f"{model}.{name}")

    def test_selection_values_in_chinese(self):
        sla = dict(self.env_zh["fulfilment.ticket"]._fields["sla_state"]._description_selection(self.env_zh))
        self.assertEqual(sla["breached"], "已超时")
        types = dict(
            self.env_zh["fulfilment.ticket"]._fields["ticket_type"]._description_selection(self.env_zh)
        )
        self.assertEqual(types["complaint"], "投诉")
        self.assertEqual(types["damage"], "运输损坏")
        self.assertEqual(types["missing"], "未收到货")
        review = dict(self.env_zh["fulfilment.review"]._fields["state"]._description_selection(self.env_zh))
        self.assertEqual(review["pending"], "待评审")
        self.assertEqual(review["rejected"], "已驳回")

    def test_groups_in_chinese(self):
        groups = {
            "order_fulfilment.group_review_technical": "技术评审员",
            "order_fulfilment.group_review_finance": "财务评审员",
            "order_fulfilment.group_sales_director": "销售总监",
            "order_fulfilment.group_aftersales_user": "售后专员",
            "order_fulfilment.group_fulfilment_manager": "履约经理",
        }
        for xmlid, expected in groups.items():
            self.assertEqual(self.env_zh.ref(xmlid).name, expected, xmlid)
        self.assertEqual(
            self.env_zh.ref("order_fulfilment.module_category_order_fulfilment").name, "订单履约"
        )

    def test_error_message_in_chinese(self):
        partner = self.env["res.partner"].create({"name": "Translation Customer"})
        order = self.env["sale.order"].create({"partner_id": partner.id})
        with self.assertRaisesRegex(UserError, "评审状态由各评审决定"):
            order.with_context(lang="zh_CN").write({"review_state": "approved"})

    def test_po_complete_and_placeholders_match(self):
        po = polib.pofile(str(_po_path()))
        self.assertEqual(po.metadata.get("Language"), "zh_CN")
        self.assertGreaterEqual(po.percent_translated(), 98)
        pot = polib.pofile(str(_po_path().with_name("order_fulfilment.pot")))
        self.assertEqual(
            {e.msgid for e in po}, {e.msgid for e in pot}, "zh_CN.po is out of date with the template"
        )
        for entry in po.translated_entries():
            self.assertEqual(
                sorted(PLACEHOLDER.findall(entry.msgstr)),
                sorted(PLACEHOLDER.findall(entry.msgid)),
                f"placeholders differ in {entry.msgid!r}",
            )
            self.assertEqual(
                sorted(TAG.findall(entry.msgstr)),
                sorted(TAG.findall(entry.msgid)),
                f"HTML tags differ in {entry.msgid!r}",
            )
