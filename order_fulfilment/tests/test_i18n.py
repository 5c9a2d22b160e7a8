import re
from pathlib import Path

import polib

from odoo import Command
from odoo.exceptions import UserError
from odoo.modules import get_module_path
from odoo.tests import TransactionCase, tagged

# Python-format placeholders (%(name)s, %s, %d, %%) and the HTML tags of a message.
PLACEHOLDER = re.compile(r"%\([a-zA-Z0-9_]+\)[sdfr]|%[sdfr]|%%")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")

# The two translations, and what each shows for the same thing: (zh_CN, zh_TW).
# zh_TW.po comes from zh_CN.po through tools/po_zh_tw.py, then hand corrections.
LANGS = ("zh_CN", "zh_TW")

MENUS = {
    "order_fulfilment.fulfilment_menu_root": ("订单履约", "訂單履約"),
    "order_fulfilment.fulfilment_review_menu": ("评审", "評審"),
    "order_fulfilment.fulfilment_ticket_menu": ("售后服务", "售後服務"),
    "order_fulfilment.fulfilment_analysis_menu": ("订单履约", "訂單履約"),
    "order_fulfilment.fulfilment_ticket_analysis_menu": ("售后服务时限", "售後服務時限"),
}
FIELD_LABELS = {
    ("sale.order", "review_state"): ("评审状态", "評審狀態"),
    ("sale.order", "is_rush"): ("紧急订单", "緊急訂單"),
    ("sale.order", "fulfilment_promise_date"): ("承诺交期", "承諾交期"),
    ("sale.order", "fulfilment_customer_class"): ("客户等级", "客戶等級"),
    ("fulfilment.ticket", "sla_state"): ("服务时限", "服務時限"),
    ("fulfilment.ticket", "assign_deadline"): ("分派时限", "分派時限"),
    ("fulfilment.ticket", "contact_deadline"): ("联系时限", "聯絡時限"),
    ("fulfilment.ticket", "satisfaction"): ("满意度", "滿意度"),
    ("fulfilment.analysis", "otif_rate"): ("订单履约率（%）", "訂單履約率（%）"),
    ("fulfilment.analysis", "days_late"): ("延误天数", "延誤天數"),
    ("fulfilment.ticket.analysis", "sla_met_rate"): ("服务时限达成率（%）", "服務時限達成率（%）"),
}
SELECTIONS = {
    ("fulfilment.ticket", "sla_state", "breached"): ("已超时", "已超時"),
    ("fulfilment.ticket", "ticket_type", "complaint"): ("投诉", "投訴"),
    ("fulfilment.ticket", "ticket_type", "damage"): ("运输损坏", "運輸損壞"),
    ("fulfilment.ticket", "ticket_type", "missing"): ("未收到货", "未收到貨"),
    ("fulfilment.review", "state", "pending"): ("待评审", "待評審"),
    ("fulfilment.review", "state", "rejected"): ("已驳回", "已駁回"),
}
GROUPS = {
    "order_fulfilment.group_review_technical": ("技术评审员", "技術評審員"),
    "order_fulfilment.group_review_quality": ("质量评审员", "品質評審員"),
    "order_fulfilment.group_review_finance": ("财务评审员", "財務評審員"),
    "order_fulfilment.group_sales_director": ("销售总监", "銷售總監"),
    "order_fulfilment.group_aftersales_user": ("售后专员", "售後專員"),
    "order_fulfilment.group_fulfilment_manager": ("履约经理", "履約經理"),
    "order_fulfilment.module_category_order_fulfilment": ("订单履约", "訂單履約"),
}
REVIEW_STATE_ERROR = ("评审状态由各评审决定", "評審狀態由各評審決定")

# zh_TW: Taiwan's words, not the mainland's written in Traditional characters.
TAIWAN_TERMS = {
    "Quality Reviewer": "品質評審員",  # not 質量
    "Release Delivery": "放行出貨",  # not 發貨
    "Short Shipment": "缺件出貨",
    "Order Change Request": "銷售訂單變更申請單",
    "Order Review Report": "訂單評審報告",
    "Rush Order": "緊急訂單",
    "Delivery date": "交期",
    "After-Sales": "售後服務",
    "Type": "類型",  # not 型別
    "Current Delivery Date": "目前交期",  # not 當前
}
MAINLAND_WORDS = [
    "質量",
    "發貨",
    "型別",
    "合同",
    "當前",
    "信息",
    "默認",
    "用戶",
    "幣種",
    "響應",
    "反饋",
    "視窗",
]
SIMPLIFIED_CHARS = set(
    "订单评审质货户这们为时说请变务产处认该门动发类过检东车见长经费读写选项错误关闭开启确实际"
)
# Shared concepts get the words of Odoo's own zh_TW translation:
# our msgid -> (Odoo module, its msgid).
ODOO_TERMS = {
    "Manufacturing Order": ("mrp", "Manufacturing Order"),
    "Manufacturing Orders": ("mrp", "Manufacturing Orders"),
    "Deliveries": ("stock", "Delivery Orders"),
    "Transfer": ("stock", "Transfer"),
    "Quotations": ("sale", "Quotations"),
    "Sales Order": ("sale", "Sales Order"),
    "Salesperson": ("sale", "Salesperson"),
    "Sales Team": ("sale", "Sales Team"),
    "Customer": ("sale", "Customer"),
    "Delivery Date": ("sale", "Delivery Date"),
    "Product": ("sale", "Product"),
}


def _i18n(filename, module="order_fulfilment"):
    return str(Path(get_module_path(module)) / "i18n" / filename)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["order_fulfilment"], list(LANGS), overwrite=True)
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()
        cls.envs = {lang: cls.env(context=dict(cls.env.context, lang=lang)) for lang in LANGS}

    def _each_language(self):
        """Yield (index in the tables above, environment in that language), in a subTest each."""
        for index, lang in enumerate(LANGS):
            with self.subTest(lang=lang):
                yield index, self.envs[lang]

    def test_menus_in_chinese(self):
        for index, env in self._each_language():
            for xmlid, expected in MENUS.items():
                self.assertEqual(env.ref(xmlid).name, expected[index], xmlid)
        # The same menus stay in English for English users.
        self.assertEqual(
            self.env.ref("order_fulfilment.fulfilment_menu_root").with_context(lang="en_US").name,
            "Fulfilment",
        )

    def test_field_labels_in_chinese(self):
        for index, env in self._each_language():
            fields_model = env["ir.model.fields"]
            for (model, name), expected in FIELD_LABELS.items():
                self.assertEqual(
                    fields_model._get(model, name).field_description, expected[index], f"{model}.{name}"
                )

    def test_selection_values_in_chinese(self):
        for index, env in self._each_language():
            for (model, field, value), expected in SELECTIONS.items():
                labels = dict(env[model]._fields[field]._description_selection(env))
                self.assertEqual(labels[value], expected[index], f"{model}.{field} = {value}")

    def test_groups_in_chinese(self):
        for index, env in self._each_language():
            for xmlid, expected in GROUPS.items():
                self.assertEqual(env.ref(xmlid).name, expected[index], xmlid)

    def test_error_message_in_chinese(self):
        partner = self.env["res.partner"].create({"name": "Translation Customer"})
        order = self.env["sale.order"].create({"partner_id": partner.id})
        for index, env in self._each_language():
            with self.assertRaisesRegex(UserError, REVIEW_STATE_ERROR[index]):
                order.with_env(env).write({"review_state": "approved"})

    def test_po_complete_and_placeholders_match(self):
        pot = polib.pofile(_i18n("order_fulfilment.pot"))
        for lang in LANGS:
            with self.subTest(lang=lang):
                po = polib.pofile(_i18n(f"{lang}.po"))
                self.assertEqual(po.metadata.get("Language"), lang)
                self.assertEqual(po.metadata.get("Plural-Forms"), "nplurals=1; plural=0;")
                self.assertGreaterEqual(po.percent_translated(), 98)
                self.assertEqual(
                    {e.msgid for e in po},
                    {e.msgid for e in pot},
                    f"{lang}.po is out of date with the template",
                )
                for entry in po.translated_entries():
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(entry.msgstr)),
                        sorted(PLACEHOLDER.findall(entry.msgid)),
                        f"{lang}: placeholders differ in {entry.msgid!r}",
                    )
                    self.assertEqual(
                        sorted(TAG.findall(entry.msgstr)),
                        sorted(TAG.findall(entry.msgid)),
                        f"{lang}: HTML tags differ in {entry.msgid!r}",
                    )

    def test_zh_tw_uses_taiwan_terms(self):
        po = {e.msgid: e.msgstr for e in polib.pofile(_i18n("zh_TW.po")) if e.msgstr}
        for msgid, expected in TAIWAN_TERMS.items():
            self.assertEqual(po.get(msgid), expected, msgid)
        for msgid, msgstr in po.items():
            self.assertFalse(SIMPLIFIED_CHARS & set(msgstr), f"Simplified characters in zh_TW {msgid!r}")
            self.assertFalse(
                [word for word in MAINLAND_WORDS if word in msgstr], f"mainland wording in zh_TW {msgid!r}"
            )
        odoo_po = {}
        for msgid, (module, odoo_msgid) in ODOO_TERMS.items():
            if module not in odoo_po:
                odoo_po[module] = {e.msgid: e.msgstr for e in polib.pofile(_i18n("zh_TW.po", module))}
            self.assertEqual(po.get(msgid), odoo_po[module][odoo_msgid], f"{msgid!r} differs from {module}")


# Demo records whose names the translations carry: (model, field) by external id.
QUALITY_DEMO_TERMS = {
    "order_fulfilment.quality_point_demo_pump_final": ("fulfilment.quality.point", "name"),
    "order_fulfilment.quality_point_demo_impeller_receipt": ("fulfilment.quality.point", "name"),
    "order_fulfilment.quality_item_demo_pump_hydrostatic": ("fulfilment.quality.point.item", "name"),
    "order_fulfilment.quality_item_demo_pump_noise": ("fulfilment.quality.point.item", "name"),
    "order_fulfilment.quality_item_demo_impeller_bore": ("fulfilment.quality.point.item", "name"),
}
DEMO_POINT = ("Final inspection: CP-50 pumps", "成品检验：CP-50 水泵")
DEMO_ITEM = ("Noise at 1 m", "1 米处噪声")


@tagged("post_install", "-at_install")
class TestDemoTranslations(TransactionCase):
    """The demo's control points and checklist items read in Chinese: their names are exported
    with the demo data (tools/dev.sh pot) and loaded as any term of the addon. The tests run
    without demo data: records made here under the demo's external ids get the demo's terms."""

    def test_po_carries_the_quality_demo_terms(self):
        for lang in LANGS:
            with self.subTest(lang=lang):
                entries = {
                    occurrence: entry
                    for entry in polib.pofile(_i18n(f"{lang}.po"))
                    for occurrence, __ in entry.occurrences
                }
                for xmlid, (model, field) in QUALITY_DEMO_TERMS.items():
                    entry = entries.get(f"model:{model},{field}:{xmlid}")
                    self.assertTrue(entry, f"{lang}.po has no {model}.{field} of {xmlid}")
                    self.assertTrue(entry.msgstr, f"{lang}.po: {entry.msgid!r} is not translated")
                    self.assertNotEqual(entry.msgstr, entry.msgid)

    def test_demo_control_point_and_inspection_read_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        point = self.env["fulfilment.quality.point"].create(
            {
                "name": DEMO_POINT[0],
                "operation": "production",
                "item_ids": [Command.create({"name": DEMO_ITEM[0], "kind": "measure", "max_value": 75})],
            }
        )
        self.env["ir.model.data"].create(
            [
                {
                    "module": "order_fulfilment",
                    "name": "quality_point_demo_pump_final",
                    "model": point._name,
                    "res_id": point.id,
                    "noupdate": True,
                },
                {
                    "module": "order_fulfilment",
                    "name": "quality_item_demo_pump_noise",
                    "model": point.item_ids._name,
                    "res_id": point.item_ids.id,
                    "noupdate": True,
                },
            ]
        )
        # An inspection made before the terms are loaded (the demo's, made at install).
        product = self.env["product.product"].create({"name": "Demo pump", "is_storable": True})
        Check = self.env["fulfilment.quality.check"]

        def inspection():
            return Check.create(
                {
                    "point_id": point.id,
                    "product_id": product.id,
                    "qty_inspected": 1,
                    "line_ids": [Command.create({"item_id": point.item_ids.id})],
                }
            ).line_ids

        before = inspection()
        self.env["ir.module.module"]._load_module_terms(["order_fulfilment"], ["zh_CN"], overwrite=True)
        self.env.invalidate_all()
        zh = self.env(context=dict(self.env.context, lang="zh_CN"))
        en = self.env(context=dict(self.env.context, lang="en_US"))
        self.assertEqual(point.with_env(zh).name, DEMO_POINT[1])
        self.assertEqual(point.item_ids.with_env(zh).name, DEMO_ITEM[1])
        self.assertEqual(point.with_env(en).name, DEMO_POINT[0])
        # The inspection lines read the item's name in the inspector's language: copied in every
        # language when the inspection is made, completed when a language's terms are loaded.
        after = inspection()
        for line in before | after:
            self.assertEqual(line.with_env(zh).name, DEMO_ITEM[1])
            self.assertEqual(line.with_env(en).name, DEMO_ITEM[0])
        # A line typed by hand, then tied to the item, takes its names too.
        extra = self.env["fulfilment.quality.check.line"].create(
            {"check_id": after.check_id.id, "name": "Noise"}
        )
        extra.item_id = point.item_ids
        self.assertEqual(extra.with_env(zh).name, DEMO_ITEM[1])
        # Renaming the item later changes no inspection made before, in any language, even when
        # the terms are loaded again.
        point.item_ids.with_env(zh).name = "噪声"
        point.item_ids.with_env(en).name = "Noise"
        self.env["ir.module.module"]._load_module_terms(["order_fulfilment"], ["zh_CN"])
        self.env.invalidate_all()
        self.assertEqual(after.with_env(zh).name, DEMO_ITEM[1])
        self.assertEqual(after.with_env(en).name, DEMO_ITEM[0])
