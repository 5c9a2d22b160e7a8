# ruff: noqa: F821
"""Lifecycle checks of order_fulfilment, run by `tools/dev.sh lifecycle` through `odoo shell`.

`env` is the shell's environment (superuser). The step comes from $LIFECYCLE_STEP, the state
shared between steps is the JSON file $LIFECYCLE_STATE. Each check prints PASS or FAIL; a step
with a failure exits with status 1.

Steps:
  before     stock Odoo with its demo data: remember the existing orders, MOs and deliveries
  installed  after `-i order_fulfilment`: existing records have sensible values and still work;
             then edit a rule, a setting, a scheduled action and a sequence, and take a snapshot
  updated    after each `-u order_fulfilment`: the edits survived and nothing else changed
  uninstall  uninstall the addon
  removed    after the uninstall: nothing of the addon is left, sales, manufacturing and
             inventory work
"""

import json
import os
import sys

from odoo import Command

STEP = os.environ["LIFECYCLE_STEP"]
STATE_FILE = os.environ["LIFECYCLE_STATE"]
failures = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'} {STEP}: {name}{'' if ok else f' ({detail})'}", flush=True)
    if not ok:
        failures.append(name)


def attempt(name, function, *args):
    """check() the outcome of function(*args) -> bool; an exception is a failure, undone."""
    try:
        with env.cr.savepoint():
            ok = function(*args)
        detail = ""
    except Exception as exc:  # noqa: BLE001 - every error is a failed check
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    check(name, ok, detail)
    return ok


def confirm(order):
    order.action_confirm()
    return order.state == "sale"


def load_state():
    with open(STATE_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def save_state(state):
    with open(STATE_FILE, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=1, sort_keys=True, default=str)


def counts():
    """Records by state of the documents the addon extends."""
    result = {}
    for model in ("sale.order", "mrp.production", "stock.picking", "account.move"):
        groups = env[model].with_context(active_test=False)._read_group([], ["state"], ["__count"])
        result[model] = {state or "": count for state, count in groups}
    return result


def deliver(picking):
    """Validate a delivery for its full demand, stock or not (no SMS, no backorder question)."""
    picking.action_assign()
    for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
        move.quantity = move.product_uom_qty
    picking.move_ids.picked = True
    picking.with_context(skip_sms=True, skip_backorder=True).button_validate()
    return picking.state == "done"


def produce(production):
    """Produce a manufacturing order for its full quantity, components consumed as planned."""
    if production.state == "draft":
        production.action_confirm()
    production.action_assign()
    production.qty_producing = production.product_qty
    production._set_qty_producing()
    for move in production.move_raw_ids:
        move.quantity = move.product_uom_qty
    production.move_raw_ids.picked = True
    production.with_context(skip_consumption=True, skip_backorder=True).button_mark_done()
    return production.state == "done"


def invoice(order):
    moves = order._create_invoices()
    moves.action_post()
    return bool(moves) and set(moves.mapped("state")) == {"posted"}


def new_order_flow(label):
    """A new order of a storable product: confirm, deliver, invoice."""
    product = env["product.product"].create(
        {"name": f"Lifecycle {label}", "is_storable": True, "list_price": 20.0, "invoice_policy": "order"}
    )
    partner = env["res.partner"].create({"name": f"Lifecycle customer {label}"})
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
        }
    )
    if attempt(f"a new order confirms ({label})", confirm, order):
        attempt(f"its delivery is validated ({label})", deliver, order.picking_ids)
        attempt(f"it is invoiced ({label})", invoice, order)
    return order


def new_production_flow(label):
    """A new manufacturing order of an existing bill of materials: confirm and produce."""
    bom = (
        env["mrp.bom"]
        .search([("type", "=", "normal"), ("bom_line_ids", "!=", False)])
        .filtered(
            lambda b: (
                b.product_tmpl_id.tracking == "none"
                and set(b.bom_line_ids.product_id.mapped("tracking")) == {"none"}
                and b.product_tmpl_id.product_variant_count == 1
            )
        )[:1]
    )
    production = env["mrp.production"].create(
        {"product_id": bom.product_id.id or bom.product_tmpl_id.product_variant_id.id, "bom_id": bom.id}
    )
    attempt(f"a new MO is produced ({label})", produce, production)


# ----------------------------------------------------------------------
# Snapshot of the addon's own records (xml ids), for the update checks
# ----------------------------------------------------------------------
SCHEMA_MODELS = {
    "ir.model",
    "ir.model.fields",
    "ir.model.fields.selection",
    "ir.model.constraint",
    "ir.model.relation",
}
# arch_prev: Odoo keeps the previous arch of every view it updates.
VOLATILE = {"write_date", "write_uid", "create_date", "create_uid", "__last_update", "arch_prev"}


def snapshot():
    data = env["ir.model.data"].search(
        [("module", "=", "order_fulfilment"), ("model", "not in", list(SCHEMA_MODELS))]
    )
    result = {}
    for model, rows in data.grouped("model").items():
        Model = env[model].with_context(active_test=False)
        names = [
            name
            for name, field in Model._fields.items()
            if field.store and name not in VOLATILE and field.type not in ("binary", "one2many")
        ]
        records = Model.browse(rows.mapped("res_id")).exists()
        values = {row["id"]: row for row in records.read(names)}
        for row in rows:
            if row.res_id in values:
                result[f"order_fulfilment.{row.name}"] = json.loads(
                    json.dumps(values[row.res_id], default=str)
                )
    return result


EDITS = {
    "rule_name": "Change request: head of sales (edited)",
    "rule_hours": 3.0,
    "assign_minutes": 77,
    "cutoff_hour": 13.5,
    "cron_interval": 7,
    "sequence_prefix": "SRV-%(year)s-",
    "activity_delay": 2,
}


def edits_hold(label):
    rule = env.ref("order_fulfilment.fulfilment_review_rule_change_sales_manager")
    director = env.ref("order_fulfilment.fulfilment_review_rule_change_sales_director").with_context(
        active_test=False
    )
    check(
        f"the edited rule keeps its name and response time ({label})",
        (rule.name, rule.response_hours) == (EDITS["rule_name"], EDITS["rule_hours"]),
        (rule.name, rule.response_hours),
    )
    check(f"the deactivated rule stays inactive ({label})", not director.active)
    company = env.company
    check(
        f"the settings keep their values ({label})",
        (company.aftersales_assign_minutes, company.fulfilment_cutoff_hour)
        == (EDITS["assign_minutes"], EDITS["cutoff_hour"]),
        (company.aftersales_assign_minutes, company.fulfilment_cutoff_hour),
    )
    cron = env.ref("order_fulfilment.ir_cron_fulfilment_ticket_sla").with_context(active_test=False)
    check(
        f"the SLA scheduled action keeps its interval ({label})",
        cron.interval_number == EDITS["cron_interval"],
        cron.interval_number,
    )
    activity_type = env.ref("order_fulfilment.mail_activity_type_review")
    check(
        f"the review activity type keeps its delay ({label})",
        activity_type.delay_count == EDITS["activity_delay"],
        activity_type.delay_count,
    )
    sequence = env.ref("order_fulfilment.sequence_fulfilment_ticket")
    check(
        f"the ticket sequence keeps its prefix ({label})",
        sequence.prefix == EDITS["sequence_prefix"],
        sequence.prefix,
    )


# ----------------------------------------------------------------------
# Steps
# ----------------------------------------------------------------------
if STEP == "before":
    orders = env["sale.order"].search([])
    state = {
        "counts": counts(),
        "quotations": orders.filtered(lambda o: o.state in ("draft", "sent")).ids,
        "confirmed": orders.filtered(lambda o: o.state == "sale").ids,
        "productions": env["mrp.production"].search([("state", "=", "confirmed")]).ids,
        "deliveries": env["stock.picking"]
        .search([("picking_type_code", "=", "outgoing"), ("state", "not in", ("done", "cancel"))])
        .ids,
    }
    check("stock demo has quotations", bool(state["quotations"]), state["quotations"])
    check("stock demo has confirmed orders", bool(state["confirmed"]), state["confirmed"])
    check("stock demo has confirmed manufacturing orders", bool(state["productions"]), state["productions"])
    check("stock demo has open deliveries", bool(state["deliveries"]), state["deliveries"])
    # Like a production database: the addon's own demo data is not loaded on install.
    env.cr.execute("UPDATE ir_module_module SET demo = FALSE")
    save_state(state)
    if not failures:
        env.cr.commit()

elif STEP == "installed":
    state = load_state()
    check(
        "no document changed state on install",
        counts() == state["counts"],
        f"{state['counts']} -> {counts()}",
    )
    Order = env["sale.order"]
    existing = Order.browse(state["quotations"] + state["confirmed"])
    not_none = existing.filtered(lambda o: o.review_state != "none")
    check(
        "existing orders have review_state 'none'", not not_none, [(o.name, o.review_state) for o in not_none]
    )
    check("no order has an empty review_state", not Order.search_count([("review_state", "=", False)]))
    # Every stored field the addon adds to an existing table is filled where it has a default.
    empty = []
    added = env["ir.model.fields"].browse(
        env["ir.model.data"]
        .search([("module", "=", "order_fulfilment"), ("model", "=", "ir.model.fields")])
        .mapped("res_id")
    )
    state["columns"] = []
    for ir_field in added.filtered(lambda f: f.store and not f.model.startswith("fulfilment.")):
        Model = env[ir_field.model].with_context(active_test=False)
        field = Model._fields.get(ir_field.name)
        if field is None or field.type in ("one2many", "many2many"):
            continue
        if set((ir_field.modules or "").split(", ")) == {"order_fulfilment"}:
            # Its own column (not a standard field the addon only extends).
            state["columns"].append([Model._table, ir_field.name])
        if field.type != "boolean" and (field.required or (field.type == "selection" and field.default)):
            missing = Model.search_count([(ir_field.name, "=", False)])
            if missing:
                empty.append(f"{ir_field.model}.{ir_field.name}: {missing}")
    check("the addon adds columns to the standard tables", bool(state["columns"]))
    check("required and defaulted fields of the addon are filled on existing records", not empty, empty)
    # Existing documents still work.
    quotation = Order.browse(state["quotations"]).filtered(lambda o: o.order_line)[:1]
    attempt(f"an existing quotation confirms ({quotation.name})", confirm, quotation)
    pickings = (
        env["stock.picking"]
        .browse(state["deliveries"])
        .filtered(
            lambda p: (
                p.sale_id and p.state != "draft" and set(p.move_ids.product_id.mapped("tracking")) == {"none"}
            )
        )[:1]
    )
    check("an existing open delivery of an order to try", bool(pickings))
    attempt(f"an existing delivery is validated ({pickings.name})", deliver, pickings)
    order = pickings.sale_id
    if order and order.invoice_status == "to invoice":
        attempt(f"the delivered existing order is invoiced ({order.name})", invoice, order)
    production = (
        env["mrp.production"]
        .browse(state["productions"])
        .filtered(
            lambda p: {p.product_id.tracking, *p.move_raw_ids.product_id.mapped("tracking")} == {"none"}
        )[:1]
    )
    check("an existing confirmed MO to try", bool(production))
    attempt(f"an existing MO is produced ({production.name})", produce, production)
    new_order_flow("with the addon")
    # The user's edits, and some addon data for the uninstall to remove.
    rule = env.ref("order_fulfilment.fulfilment_review_rule_change_sales_manager")
    rule.write({"name": EDITS["rule_name"], "response_hours": EDITS["rule_hours"]})
    env.ref("order_fulfilment.fulfilment_review_rule_change_sales_director").active = False
    settings = env["res.config.settings"].create(
        {"aftersales_assign_minutes": EDITS["assign_minutes"], "fulfilment_cutoff_hour": EDITS["cutoff_hour"]}
    )
    settings.execute()
    env.ref("order_fulfilment.ir_cron_fulfilment_ticket_sla").interval_number = EDITS["cron_interval"]
    env.ref("order_fulfilment.sequence_fulfilment_ticket").prefix = EDITS["sequence_prefix"]
    env.ref("order_fulfilment.mail_activity_type_review").delay_count = EDITS["activity_delay"]
    env["fulfilment.review.rule"].create(
        {
            "name": "Lifecycle: big orders",
            "group_id": env.ref("sales_team.group_sale_manager").id,
            "min_amount": 1000000.0,
        }
    )
    env["fulfilment.ticket"].create(
        {
            "partner_id": order.partner_id.id or existing[:1].partner_id.id,
            "ticket_type": "complaint",
            "description": "Lifecycle ticket",
        }
    )
    env.flush_all()
    edits_hold("after editing")
    state["snapshot"] = snapshot()
    state["updates"] = 0
    save_state(state)
    if not failures:
        env.cr.commit()

elif STEP == "updated":
    state = load_state()
    state["updates"] += 1
    label = f"after update {state['updates']}"
    edits_hold(label)
    now = snapshot()
    before = state["snapshot"]
    changed = sorted(
        f"{xmlid}.{name}: {str(before[xmlid][name])[:60]!r} -> {str(values.get(name))[:60]!r}"
        for xmlid, values in now.items()
        if xmlid in before
        for name in before[xmlid]
        if values.get(name) != before[xmlid][name]
    )
    gone = sorted(set(before) - set(now))
    check(f"no record of the addon changed ({label})", not changed, "; ".join(changed[:20]))
    check(f"no record of the addon disappeared ({label})", not gone, gone[:20])
    state["snapshot"] = now
    save_state(state)

elif STEP == "uninstall":
    module = env["ir.module.module"].search([("name", "=", "order_fulfilment")])
    module.button_immediate_uninstall()
    env.cr.commit()

elif STEP == "removed":
    state = load_state()
    module = env["ir.module.module"].search([("name", "=", "order_fulfilment")])
    check("the module is uninstalled", module.state == "uninstalled", module.state)
    env.cr.execute("SELECT model FROM ir_model WHERE model LIKE 'fulfilment.%'")
    check("no fulfilment model is left", not env.cr.fetchall())
    env.cr.execute("SELECT count(*) FROM ir_model_data WHERE module = 'order_fulfilment'")
    left = env.cr.fetchone()[0]
    check("no record of the addon is left (ir_model_data)", not left, left)
    env.cr.execute(
        """SELECT table_name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name LIKE 'fulfilment%'"""
    )
    check("no fulfilment table is left", not env.cr.fetchall())
    env.cr.execute(
        """SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = current_schema()"""
    )
    existing_columns = {row[0] for row in env.cr.fetchall()}
    columns = [
        f"{table}.{column}" for table, column in state["columns"] if f"{table}.{column}" in existing_columns
    ]
    check(
        f"none of the {len(state['columns'])} columns of the addon is left on the standard tables",
        not columns,
        columns,
    )
    env.cr.execute("SELECT model || '.' || name FROM ir_model_fields WHERE relation LIKE 'fulfilment.%%'")
    check("no field pointing to a fulfilment model is left", not env.cr.fetchall())
    env.cr.execute("SELECT count(*) FROM ir_act_server WHERE model_name LIKE 'fulfilment.%%'")
    check("no scheduled or server action of the addon is left", not env.cr.fetchone()[0])
    for model, by_state in state["counts"].items():
        if model == "account.move":
            continue
        total = env[model].with_context(active_test=False).search_count([])
        check(f"the existing {model} records are kept", total >= sum(by_state.values()), total)
    new_order_flow("after uninstall")
    new_production_flow("after uninstall")
    quotation = (
        env["sale.order"]
        .browse(state["quotations"])
        .filtered(lambda o: o.state == "draft" and o.order_line)[:1]
    )
    if quotation:
        attempt(f"an existing quotation confirms after uninstall ({quotation.name})", confirm, quotation)
    env.cr.rollback()

print(f"lifecycle {STEP}: {len(failures)} failed", flush=True)
if failures:
    sys.exit(1)
