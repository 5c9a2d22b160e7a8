#!/usr/bin/env python3
"""The addon's cost against stock Odoo: SQL queries and wall time, side by side.

Run through `make bench` / `make bench-quick` (tools/dev.sh bench), which first
creates or updates the two databases:

    python bench/run.py -c .dev/odoo.conf --base bench_base --addon bench_addon [--quick]

Each measurement runs in a transaction (or savepoint) that is rolled back, so
every repetition sees the same data. Prints a table and writes
bench/results.json (bench/results-quick.json with --quick). Exits 1 when a
measured value misses its budget or a measurement fails; a measure whose
feature is missing from the installed addon is reported as null.
See bench/README.md.
"""

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))

# key: (budget, comparison, unit, description)
BUDGETS = {
    "confirm_query_ratio": (
        1.03,
        "queries, addon / base",
        "create and confirm {confirm_orders} orders of 5 lines",
    ),
    "confirm_time_ratio": (
        1.03,
        "wall time, addon / base",
        "the same, median of the repetitions' ratios (at least 5, interleaved)",
    ),
    "review_request_scaling": (
        1.0,
        "queries({review_large}) / ({review_factor} x queries({review_small}))",
        "action_request_review, 5 matching rules",
    ),
    "rush_toggle_queries": (
        80,
        "queries",
        "set is_rush on an order with {rush_mos} MOs and {rush_mos} pickings",
    ),
    "sla_cron_seconds_100k": (
        2.5,
        "seconds",
        "SLA pass, {tickets_large} open tickets (a tenth waiting), {tickets_breached} newly breached",
    ),
    "sla_cron_scaling": (1.5, "time({tickets_large}) / time({tickets_small})", "the same pass at both sizes"),
    "change_apply_seconds_100_lines": (
        3.0,
        "seconds",
        "action_apply of a quantity change on all lines of a {change_lines}-line order",
    ),
    "change_apply_vs_stock_ratio": (
        1.5,
        "time, apply / stock line write",
        "the apply vs stock Odoo writing {change_lines} line quantities of the confirmed order",
    ),
    "rule_change_seconds_20k": (
        2.0,
        "seconds",
        "save a new review rule with {rule_quotations} open quotations in the database",
    ),
    "at_risk_search_seconds_20k": (
        1.0,
        "seconds",
        "search fulfilment_at_risk = True over {at_risk_orders} confirmed orders",
    ),
    "feasible_seconds_5k_wo": (
        0.3,
        "seconds",
        "fulfilment_get_feasible of a {feasible_lines}-line quotation (two-level BoMs), "
        + "{feasible_workorders} planned work orders in the plant",
    ),
    "feasible_queries": (150, "queries", "the same call"),
    "feasible_scaling": (
        2.0,
        "time({feasible_workorders_large} work orders) / time({feasible_workorders})",
        "the same call with 10 x more planned work orders, planned 10 x further ahead",
    ),
    "review_reminder_seconds_10k": (
        5.0,
        "seconds",
        "reminder pass (_cron_remind) over {reminder_reviews} pending reviews, all due",
    ),
    "mail_ticket_scaling": (
        1.0,
        "queries({mail_large}) / ({mail_factor} x queries({mail_small}))",
        "new e-mails to the after-sales alias turned into tickets "
        + "(gateway, customer, reference, acknowledgement)",
    ),
    "deliver_query_ratio": (
        1.03,
        "queries, addon / base",
        "create, confirm, produce (the MTO pump) and deliver {deliver_orders} orders of 5 lines, "
        + "no control point",
    ),
    "quality_check_scaling": (
        1.0,
        "queries({quality_large}) / ({quality_factor} x queries({quality_small}))",
        "create the inspections of finished MOs (a control point of 4 items on their product)",
    ),
}

SCALES = {
    "full": {
        "confirm_orders": 100,
        "confirm_chunk": 10,
        "confirm_reps": 5,
        "review_small": 10,
        "review_large": 100,
        "rush_mos": 50,
        "tickets_small": 10_000,
        "tickets_large": 100_000,
        "tickets_breached": 1_000,
        "change_lines": 100,
        "at_risk_orders": 20_000,
        "rule_quotations": 20_000,
        "feasible_lines": 20,
        "feasible_workorders": 5_000,
        "feasible_workorders_large": 50_000,
        "reminder_reviews": 10_000,
        "mail_small": 100,
        "mail_large": 1_000,
        "deliver_orders": 200,
        "deliver_chunk": 10,
        "quality_small": 10,
        "quality_large": 100,
        "reps": 3,
    },
    "quick": {
        "confirm_orders": 20,
        "confirm_chunk": 2,
        "confirm_reps": 5,
        "review_small": 1,
        "review_large": 10,
        "rush_mos": 5,
        "tickets_small": 1_000,
        "tickets_large": 10_000,
        "tickets_breached": 100,
        "change_lines": 10,
        "at_risk_orders": 2_000,
        "rule_quotations": 2_000,
        "feasible_lines": 20,
        "feasible_workorders": 500,
        "feasible_workorders_large": 5_000,
        "reminder_reviews": 1_000,
        "mail_small": 10,
        "mail_large": 100,
        "deliver_orders": 20,
        "deliver_chunk": 2,
        "quality_small": 1,
        "quality_large": 10,
        "reps": 3,
    },
}

FIXTURE_VERSION = "1"
NOT_AVAILABLE = "not available in this build"
# A timed run longer than SLOW x its budget is not repeated (nor warmed up).
SLOW = 3


class Unavailable(Exception):
    """The feature a measurement needs is not in the installed addon."""


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else None


# ---------------------------------------------------------------------------
# Odoo access
# ---------------------------------------------------------------------------
class Database:
    """One database and its registry, in this process (both registries live side by side)."""

    def __init__(self, name):
        from odoo.modules.registry import Registry

        self.name = name
        self.registry = Registry(name)

    @contextlib.contextmanager
    def env(self, commit=False):
        """A superuser environment on a new cursor; rolled back unless commit.

        The measured code may call cr.commit() (crons committing progress):
        that is a no-op here so that the bench's data stays as it was.
        """
        from odoo import SUPERUSER_ID, api

        cr = self.registry.cursor()
        real_commit = cr.commit
        if not commit:
            cr.commit = lambda: None
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            yield env
            if commit:
                env.flush_all()
                real_commit()
        finally:
            cr.rollback()
            cr.close()


@contextlib.contextmanager
def undone(env):
    """Everything done inside is rolled back (savepoint), caches included."""
    sp = env.cr.savepoint()  # flushes
    try:
        yield
    finally:
        sp.close(rollback=True)
        env.transaction.clear()  # drop the cache and pending computations of the undone work
        env.registry.clear_cache()  # and the ormcaches filled with undone records (review rules)


def measure(env, fn):
    """(queries, seconds) of fn(), its pending writes included."""
    env.flush_all()
    start_q = env.cr.sql_log_count
    start = time.perf_counter()
    fn()
    env.flush_all()
    return env.cr.sql_log_count - start_q, time.perf_counter() - start


def scaling(small, large, q_small, q_large, note):
    """The result of a scaling measure: queries at the large size over ``large / small`` times the
    queries at the small size (1.0: linear; below: the per-record cost falls as the batch grows)."""
    return {"base": None, "addon": q_large, "value": q_large / ((large // small) * q_small), "note": note}


def need_model(env, model, fields=(), methods=()):
    if model not in env:
        raise Unavailable(f"{NOT_AVAILABLE}: model {model}")
    Model = env[model]
    missing = [f for f in fields if f not in Model._fields]
    missing += [f"{m}()" for m in methods if not callable(getattr(Model, m, None))]
    if missing:
        raise Unavailable(f"{NOT_AVAILABLE}: {model}.{', '.join(missing)}")
    return Model


# ---------------------------------------------------------------------------
# Fixture: products, BoMs, stock and customers, identical in both databases
# ---------------------------------------------------------------------------
def fixture(env, scale):
    """Creates (once) and returns the bench's products and customers."""
    from odoo import Command

    Product = env["product.product"].with_context(active_test=False)
    if env["ir.config_parameter"].get_param("bench.fixture") != FIXTURE_VERSION:
        log(f"{env.cr.dbname}: creating products, BoMs, stock and customers")
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        mto = env.ref("stock.route_warehouse0_mto")
        mto.active = True
        manufacture = warehouse.manufacture_pull_id.route_id
        component = Product.create(
            {
                "name": "Bench component",
                "default_code": "BENCH-COMP",
                "is_storable": True,
                "standard_price": 5,
            }
        )
        stocked = Product.create(
            [
                {
                    "name": f"Bench stocked {i}",
                    "default_code": f"BENCH-STOCK-{i}",
                    "is_storable": True,
                    "list_price": 20.0 * i,
                    "standard_price": 8.0 * i,
                }
                for i in range(1, 5)
            ]
        )
        made_vals = [
            {
                "name": "Bench pump" if i == 0 else f"Bench made {i:03d}",
                "default_code": "BENCH-PUMP" if i == 0 else f"BENCH-MADE-{i:03d}",
                "is_storable": True,
                "list_price": 900.0,
                "route_ids": [Command.set([mto.id, manufacture.id])],
            }
            for i in range(max(SCALES["full"]["rush_mos"], scale["rush_mos"]) + 1)
        ]
        made = Product.create(made_vals)
        env["mrp.bom"].create(
            [
                {
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "product_qty": 1,
                    "bom_line_ids": [Command.create({"product_id": component.id, "product_qty": 2})],
                }
                for product in made
            ]
        )
        Quant = env["stock.quant"]
        for product in component | stocked:
            Quant._update_available_quantity(product, warehouse.lot_stock_id, 10_000_000)
        env["res.partner"].create(
            [
                {
                    "name": f"Bench customer {i:02d}",
                    "ref": f"BENCH-CUST-{i:02d}",
                    "email": f"c{i}@example.com",
                }
                for i in range(1, 21)
            ]
        )
        env["ir.config_parameter"].set_param("bench.fixture", FIXTURE_VERSION)
        env.flush_all()
    by_code = {p.default_code: p for p in Product.search([("default_code", "=like", "BENCH-%")])}
    customers = env["res.partner"].search([("ref", "=like", "BENCH-CUST-%")], order="ref")
    return {
        "component": by_code["BENCH-COMP"],
        "stocked": [by_code[f"BENCH-STOCK-{i}"] for i in range(1, 5)],
        "pump": by_code["BENCH-PUMP"],
        "made": [by_code[f"BENCH-MADE-{i:03d}"] for i in range(1, scale["rush_mos"] + 1)],
        "customers": customers,
    }


def order_vals(fx, i, lines=None):
    """A quotation of 5 lines (4 stocked products, 1 MTO manufactured) unless lines are given."""
    from odoo import Command

    if lines is None:
        lines = [(p, 1 + (i + k) % 5) for k, p in enumerate(fx["stocked"])] + [(fx["pump"], 1)]
    return {
        "partner_id": fx["customers"][i % len(fx["customers"])].id,
        "order_line": [Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in lines],
    }


# ---------------------------------------------------------------------------
# 20,000 confirmed orders: one real order, cloned with SQL
# ---------------------------------------------------------------------------
def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cr.fetchall()]


def _foreign_keys(cr, table):
    """{column: referenced table} of the single-column foreign keys of table."""
    cr.execute(
        """
        SELECT a.attname, ref.relname
          FROM pg_constraint c
          JOIN pg_class t ON t.oid = c.conrelid
          JOIN pg_class ref ON ref.oid = c.confrelid
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND t.relname = %s AND array_length(c.conkey, 1) = 1
        """,
        [table],
    )
    return dict(cr.fetchall())


def clone_rows(cr, plan, copies, overrides, rel_tables=()):
    """Copies the rows of plan [(table, ids)] `copies` times in a few INSERT ... SELECT.

    Foreign keys between cloned rows point to the copies of the same batch;
    overrides {table: {column: SQL expression}} may use t (the template row)
    and m.copy (1..copies). rel_tables are many2many tables (col1, col2) whose
    rows between cloned records are cloned too.
    """
    cr.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_map "
        "(tbl text, old_id int, copy int, new_id int, PRIMARY KEY (tbl, old_id, copy))"
    )
    cr.execute("TRUNCATE bench_map")
    tables = [table for table, ids in plan if ids]
    for table, ids in plan:
        if not ids:
            continue
        cr.execute(
            "INSERT INTO bench_map SELECT %s, o, g, nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM unnest(%s::int[]) o, generate_series(1, %s) g",
            [table, table, list(ids), copies],
        )
    cr.execute("ANALYZE bench_map")
    inserted, deferred = set(), []
    for table in tables:
        fks = {col: ref for col, ref in _foreign_keys(cr, table).items() if ref in tables}
        joins, exprs, params = [], [], []
        cols = _columns(cr, table)
        for n, col in enumerate(cols):
            if col in overrides.get(table, {}):
                exprs.append(overrides[table][col])
            elif col in fks and fks[col] not in inserted and fks[col] != table:
                # Points to a table cloned later: set once that one is there.
                exprs.append("NULL")
                deferred.append((table, col, fks[col]))
            elif col in fks:
                joins.append(
                    f"LEFT JOIN bench_map f{n} "
                    f'ON f{n}.tbl = %s AND f{n}.old_id = t."{col}" AND f{n}.copy = m.copy'
                )
                exprs.append(f'COALESCE(f{n}.new_id, t."{col}")')
                params.append(fks[col])
            else:
                exprs.append(f't."{col}"')
        collist = ", ".join(f'"{c}"' for c in cols)
        cr.execute(
            f'INSERT INTO "{table}" (id, {collist}) SELECT m.new_id, {", ".join(exprs)} '
            f'FROM "{table}" t JOIN bench_map m ON m.tbl = %s AND m.old_id = t.id {" ".join(joins)}',
            [table, *params],
        )
        inserted.add(table)
    for table, col, ref in deferred:
        cr.execute(
            f'UPDATE "{table}" x SET "{col}" = COALESCE(f.new_id, t."{col}") '
            f'FROM bench_map m JOIN "{table}" t ON t.id = m.old_id '
            f'LEFT JOIN bench_map f ON f.tbl = %s AND f.old_id = t."{col}" AND f.copy = m.copy '
            "WHERE m.tbl = %s AND x.id = m.new_id",
            [ref, table],
        )
    for rel, col1, table1, col2, table2 in rel_tables:
        cr.execute(
            f'INSERT INTO "{rel}" ("{col1}", "{col2}") SELECT a.new_id, b.new_id FROM "{rel}" r '
            f'JOIN bench_map a ON a.tbl = %s AND a.old_id = r."{col1}" '
            f'JOIN bench_map b ON b.tbl = %s AND b.old_id = r."{col2}" AND b.copy = a.copy',
            [table1, table2],
        )


def ensure_orders(db, scale):
    """scale['at_risk_orders'] confirmed orders, committed once (marker bench.generated_scale)."""
    wanted = scale["at_risk_orders"]
    with db.env(commit=True) as env:
        done = env["ir.config_parameter"].get_param("bench.generated_scale")
        if done == str(wanted):
            return
        if done:
            raise RuntimeError(
                f"{db.name} holds bench data of another scale ({done}); drop the database and run again"
            )
        log(f"{db.name}: generating {wanted} confirmed orders")
        start = time.perf_counter()
        fx = fixture(env, scale)
        template = env["sale.order"].create(order_vals(fx, 0))
        template.action_confirm()
        env.flush_all()
        lines = template.order_line
        pickings = template.picking_ids
        productions = env["mrp.production"].search([("origin", "=like", f"%{template.name}%")])
        productions |= template.mrp_production_ids
        groups = template.procurement_group_id | productions.procurement_group_id
        moves = env["stock.move"].search(
            [
                "|",
                "|",
                "|",
                ("picking_id", "in", pickings.ids),
                ("raw_material_production_id", "in", productions.ids),
                ("production_id", "in", productions.ids),
                ("sale_line_id", "in", lines.ids),
            ]
        )
        # Copy g: 4 in 5 are delivered; of the open ones some are late or planned late.
        delivered = "(mod(m.copy, 5) != 0)"
        commitment = (
            f"CASE WHEN {delivered} THEN now() - (mod(m.copy, 365) + 2) * interval '1 day' "
            "ELSE now() + (mod(m.copy, 30) - 5) * interval '1 day' END"
        )
        late = "CASE WHEN mod(m.copy, 50) = 0 THEN interval '3 days' ELSE interval '-1 day' END"
        planned = f"({commitment}) + {late}"
        state = f"CASE WHEN {delivered} THEN 'done' ELSE t.state END"
        overrides = {
            "sale_order": {
                "name": "'BSO' || lpad(m.copy::text, 6, '0')",
                "date_order": f"({commitment}) - interval '10 days'",
                "commitment_date": commitment,
                "partner_id": "t.partner_id",
            },
            "stock_picking": {
                "name": "t.name || '/' || m.copy",
                "scheduled_date": planned,
                "date_deadline": commitment,
                "state": state,
                "date_done": f"CASE WHEN {delivered} THEN ({commitment}) - interval '1 day' END",
            },
            "mrp_production": {
                "name": "t.name || '/' || m.copy",
                "date_start": f"({commitment}) - CASE WHEN mod(m.copy, 70) = 0 THEN interval '-2 days' "
                "ELSE interval '3 days' END",
                "date_finished": f"({commitment}) - interval '2 days'",
                "state": state,
            },
            "stock_move": {"state": state, "date": planned},
        }
        with env.cr.savepoint(flush=False):
            cols = {t: set(_columns(env.cr, t)) for t in overrides}
            overrides = {t: {c: e for c, e in o.items() if c in cols[t]} for t, o in overrides.items()}
            clone_rows(
                env.cr,
                [
                    ("sale_order", template.ids),
                    ("procurement_group", groups.ids),
                    ("sale_order_line", lines.ids),
                    ("mrp_production", productions.ids),
                    ("stock_picking", pickings.ids),
                    ("stock_move", moves.ids),
                ],
                wanted - 1,
                overrides,
                rel_tables=[
                    ("stock_move_move_rel", "move_orig_id", "stock_move", "move_dest_id", "stock_move")
                ],
            )
            env.cr.execute(
                "UPDATE sale_order_line l SET qty_delivered = l.product_uom_qty FROM bench_map m "
                "WHERE m.tbl = 'sale_order_line' AND m.new_id = l.id AND mod(m.copy, 5) != 0"
            )
            if "delivery_status" in _columns(env.cr, "sale_order"):
                env.cr.execute(
                    "UPDATE sale_order o SET delivery_status = 'full' FROM bench_map m "
                    "WHERE m.tbl = 'sale_order' AND m.new_id = o.id AND mod(m.copy, 5) != 0"
                )
        env.invalidate_all(flush=False)
        _recompute_addon_fields(env)
        for table in ("sale_order", "sale_order_line", "stock_picking", "stock_move", "mrp_production"):
            env.cr.execute(f'ANALYZE "{table}"')
        env["ir.config_parameter"].set_param("bench.generated_scale", str(wanted))
        log(f"{db.name}: {wanted} orders in {time.perf_counter() - start:.0f} s")


def _recompute_addon_fields(env):
    """Recomputes the addon's stored computed fields on the cloned records (their dates differ)."""
    for model in ("sale.order", "sale.order.line", "stock.picking", "mrp.production", "stock.move"):
        Model = env[model].with_context(active_test=False)
        fields = [
            f for f in Model._fields.values() if f.store and f.compute and f._module == "order_fulfilment"
        ]
        if not fields:
            continue
        ids = Model.search([]).ids
        log(f"{env.cr.dbname}: recomputing {', '.join(f.name for f in fields)} of {len(ids)} {model}")
        for start in range(0, len(ids), 2000):
            records = Model.browse(ids[start : start + 2000])
            for field in fields:
                env.add_to_compute(field, records)
            env.flush_all()
            env.invalidate_all(flush=False)


# ---------------------------------------------------------------------------
# Tickets for the SLA pass: SQL INSERT ... SELECT generate_series
# ---------------------------------------------------------------------------
TICKET_PREFIX = "BENCH-T"


def _ticket_table_exists(cr):
    cr.execute("SELECT to_regclass('fulfilment_ticket') IS NOT NULL")
    return cr.fetchone()[0]


def _age(cr, ids, interval):
    """Moves every date and datetime of the given tickets back by interval, as if made that long ago."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'fulfilment_ticket' AND data_type LIKE 'timestamp%%'"
    )
    cols = [row[0] for row in cr.fetchall()]
    sets = ", ".join(f'"{c}" = "{c}" - %s::interval' for c in cols)
    cr.execute(f"UPDATE fulfilment_ticket SET {sets} WHERE id = ANY(%s)", [interval] * len(cols) + [ids])


def generate_tickets(env, total, breached):
    """`total` open tickets, of which `breached` newly breached, made with the ORM then copied with SQL.

    One ticket of each kind is created through the ORM, so that it has every
    column the ticket model sets itself (deadlines, next check, ...):
    - new and still in time; assigned (action_assign); in progress
      (action_assign, action_contact): these stay on track or met;
    - new and made two hours ago (all its dates moved back): its assign
      deadline passed an hour ago but its SLA state is still as created, so
      the pass must breach it;
    - waiting for the customer (action_assign, action_wait_customer) and made
      three hours ago: a tenth of ``total`` when the model has the state. Its
      contact deadline passed an hour ago by the wall clock, but its clock is
      stopped: the pass must leave it alone.
    Each is then copied with INSERT ... SELECT generate_series to the wanted counts.
    """
    Ticket = env["fulfilment.ticket"]
    customer = env["res.partner"].search([("ref", "=like", "BENCH-CUST-%")], limit=1)
    vals = {
        "partner_id": customer.id,
        "ticket_type": "complaint",
        "description": "Bench ticket",
        "priority": "0",
    }
    vals = {k: v for k, v in vals.items() if k in Ticket._fields}
    admin = env.ref("base.user_admin")
    kinds = {}
    pausing = hasattr(Ticket, "action_wait_customer")
    for kind in ("breach", "new", "assigned", "in_progress", "paused"):
        if kind == "paused" and not pausing:
            continue
        ticket = Ticket.create(dict(vals))
        if kind in ("assigned", "in_progress", "paused"):
            ticket.action_assign(admin.id)
        if kind == "in_progress":
            ticket.action_contact()
        if kind == "paused":
            ticket.action_wait_customer()
        kinds[kind] = ticket
    env.flush_all()
    _age(env.cr, kinds["breach"].ids, "2 hours")
    if pausing:
        _age(env.cr, kinds["paused"].ids, "3 hours")
    env.cr.execute(
        "UPDATE fulfilment_ticket SET name = %s || id WHERE id = ANY(%s)",
        [TICKET_PREFIX, [t.id for t in kinds.values()]],
    )
    env.invalidate_all(flush=False)
    paused = total // 10 if pausing else 0
    rest = total - breached - paused
    counts = {
        "breach": breached,
        "new": rest - 2 * (rest // 3),
        "assigned": rest // 3,
        "in_progress": rest // 3,
        "paused": paused,
    }
    for kind, ticket in kinds.items():
        if counts[kind] > 1:
            clone_rows(
                env.cr,
                [("fulfilment_ticket", ticket.ids)],
                counts[kind] - 1,
                {"fulfilment_ticket": {"name": "t.name || '-' || m.copy"}},
            )
    env.cr.execute(
        "SELECT state, sla_state, count(*) FROM fulfilment_ticket WHERE name LIKE %s GROUP BY 1, 2",
        [TICKET_PREFIX + "%"],
    )
    return {f"{state}/{sla_state}": count for state, sla_state, count in env.cr.fetchall()}


def reset_tickets(db, total, breached):
    """Committed: exactly `total` bench tickets, `breached` of them newly breached."""
    import psycopg2

    from odoo.sql_db import connection_info_for

    with db.env(commit=True) as env:
        env.cr.execute("DELETE FROM fulfilment_ticket WHERE name LIKE %s", [TICKET_PREFIX + "%"])
    # VACUUM cannot run in a transaction: a plain connection in autocommit.
    _dbname, info = connection_info_for(db.name)
    cnx = psycopg2.connect(**info)
    try:
        cnx.autocommit = True
        with cnx.cursor() as cr:
            cr.execute("VACUUM ANALYZE fulfilment_ticket")
    finally:
        cnx.close()
    with db.env(commit=True) as env:
        states = generate_tickets(env, total, breached)
        log(f"  tickets by SLA state before the pass: {states}")
        env.cr.execute("ANALYZE fulfilment_ticket")
        env["ir.config_parameter"].set_param("bench.generated_tickets", str(total))


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------
def bench_confirm(dbs, scale):
    """Create and confirm N orders of 5 lines in both databases.

    The N orders are created and confirmed in chunks of `confirm_chunk` (one
    create, one action_confirm, each chunk in its own rolled-back transaction),
    alternating between the databases chunk by chunk so that the machine's
    load falls on both alike. A repetition is the sum over the chunks.
    """
    n, chunk, reps = scale["confirm_orders"], scale["confirm_chunk"], scale["confirm_reps"]
    figures = {name: {"queries": [], "seconds": []} for name in dbs}

    def run_chunk(name, start, size):
        with dbs[name].env() as env:
            fx = fixture(env, scale)
            vals = [order_vals(fx, i) for i in range(start, start + size)]

            def flow():
                orders = env["sale.order"].create(vals)
                orders.action_confirm()
                if any(o.state != "sale" for o in orders):
                    raise RuntimeError("an order was not confirmed")

            return measure(env, flow)

    for name in dbs:  # warm-up: registry caches
        run_chunk(name, 0, min(chunk, 5))
    for rep in range(reps):
        totals = {name: [0, 0.0] for name in dbs}
        for k, start in enumerate(range(0, n, chunk)):
            for name in ("base", "addon") if (rep + k) % 2 == 0 else ("addon", "base"):
                queries, seconds = run_chunk(name, start, min(chunk, n - start))
                totals[name][0] += queries
                totals[name][1] += seconds
        for name, (queries, seconds) in totals.items():
            figures[name]["queries"].append(queries)
            figures[name]["seconds"].append(seconds)
        log(
            f"  confirm {n} orders, repetition {rep + 1}: base {totals['base'][0]} queries "
            f"{totals['base'][1]:.1f} s, addon {totals['addon'][0]} queries {totals['addon'][1]:.1f} s"
        )
    base_q, addon_q = median(figures["base"]["queries"]), median(figures["addon"]["queries"])
    base_t, addon_t = median(figures["base"]["seconds"]), median(figures["addon"]["seconds"])
    # Each repetition ran both databases chunk by chunk, alternately: its ratio compares them
    # under the same load. The figure is the median of these ratios.
    time_ratios = [
        a / b for a, b in zip(figures["addon"]["seconds"], figures["base"]["seconds"], strict=True)
    ]
    query_ratios = [
        a / b for a, b in zip(figures["addon"]["queries"], figures["base"]["queries"], strict=True)
    ]
    return {
        "confirm_query_ratio": {
            "base": base_q,
            "addon": addon_q,
            "value": median(query_ratios),
            "note": f"queries per order: base {base_q / n:.1f}, addon {addon_q / n:.1f}",
        },
        "confirm_time_ratio": {
            "base": round(base_t, 3),
            "addon": round(addon_t, 3),
            "value": median(time_ratios),
            "note": (
                "median of {} interleaved repetitions' ratios ({}) in chunks of {}; base {} s, addon {} s"
            ).format(
                reps,
                ", ".join(f"{r:.3f}" for r in time_ratios),
                chunk,
                ", ".join(f"{t:.2f}" for t in figures["base"]["seconds"]),
                ", ".join(f"{t:.2f}" for t in figures["addon"]["seconds"]),
            ),
        },
    }


def _review_groups(env):
    xmlids = ["technical", "production", "quality", "purchasing", "finance"]
    groups = [env.ref(f"order_fulfilment.group_review_{x}", raise_if_not_found=False) for x in xmlids]
    return [g or env.ref("base.group_user") for g in groups]


def bench_review(db, scale):
    small, large = scale["review_small"], scale["review_large"]
    with db.env() as env:
        need_model(env, "fulfilment.review.rule", fields=("group_id", "min_amount", "sequence"))
        need_model(env, "sale.order", methods=("action_request_review",))
        fx = fixture(env, scale)
        Rule = env["fulfilment.review.rule"]
        groups = _review_groups(env)
        reviewers = env["res.users"].create(
            [
                {"name": f"Bench reviewer {i}", "login": f"bench_reviewer_{i}", "email": f"r{i}@example.com"}
                for i in range(len(groups))
            ]
        )
        for user, group in zip(reviewers, groups, strict=True):
            group.users = [(4, user.id)]
        for i, group in enumerate(groups):
            if i % 2:
                # The groups of the rules needing two approvers have two members.
                group.users = [(4, reviewers[i - 1].id)]
        for i, group in enumerate(groups):
            vals = {
                "name": f"Bench rule {i}",
                "sequence": 1 + i // 2,
                "group_id": group.id,
                "min_amount": 100.0,
            }
            if "applies_to" in Rule._fields:
                vals["applies_to"] = "sale_order"
            if "min_approvers" in Rule._fields and i % 2:
                vals["min_approvers"] = 2  # several approvers on every other rule
            Rule.create(vals)
        if "fulfilment.review.delegation" in env:
            # Two reviewers away, their substitutes standing in: the to-dos go to the substitutes.
            substitutes = env["res.users"].create(
                [{"name": f"Bench substitute {i}", "login": f"bench_substitute_{i}"} for i in range(2)]
            )
            env["fulfilment.review.delegation"].create(
                [
                    {
                        "user_id": reviewer.id,
                        "substitute_id": substitute.id,
                        "date_from": datetime.now() - timedelta(days=1),
                        "date_to": datetime.now() + timedelta(days=7),
                    }
                    for reviewer, substitute in zip(reviewers[:2], substitutes, strict=True)
                ]
            )
        orders = env["sale.order"].create([order_vals(fx, i) for i in range(2 * small + large)])
        env.flush_all()
        warm, few, many = orders[:small], orders[small : 2 * small], orders[2 * small :]
        with undone(env):
            warm.action_request_review()
        with undone(env):
            q_small, _t = measure(env, few.action_request_review)
            reviews = (
                env["fulfilment.review"].search_count([("order_id", "in", few.ids)])
                if ("fulfilment.review" in env and "order_id" in env["fulfilment.review"]._fields)
                else None
            )
        with undone(env):
            q_large, _t = measure(env, many.action_request_review)
    return scaling(
        small,
        large,
        q_small,
        q_large,
        f"{q_small} queries for {small} orders, {q_large} for {large}"
        + (f"; {reviews} reviews created for {small} orders" if reviews is not None else ""),
    )


def _split_delivery(env, order):
    """One delivery picking per move, so that the order has as many pickings as lines."""
    pickings = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
    for picking in pickings:
        for move in picking.move_ids[1:]:
            new = env["stock.picking"].create(
                {
                    "picking_type_id": picking.picking_type_id.id,
                    "location_id": picking.location_id.id,
                    "location_dest_id": picking.location_dest_id.id,
                    "partner_id": picking.partner_id.id,
                    "origin": picking.origin,
                    "group_id": picking.group_id.id,
                    "scheduled_date": picking.scheduled_date,
                }
            )
            move.picking_id = new


def bench_rush(db, scale):
    with db.env() as env:
        need_model(env, "sale.order", fields=("is_rush", "rush_reason"))
        fx = fixture(env, scale)
        order = env["sale.order"].create(order_vals(fx, 0, lines=[(p, 1) for p in fx["made"]]))
        order.action_confirm()
        _split_delivery(env, order)
        env.flush_all()
        order.invalidate_recordset()
        n_mos, n_pickings = len(order.mrp_production_ids), len(order.picking_ids)
        with undone(env):
            order.write({"is_rush": True, "rush_reason": "warm-up"})
        with undone(env):
            queries, seconds = measure(env, lambda: order.write({"is_rush": True, "rush_reason": "Bench"}))
            urgent = sum(1 for r in [*order.mrp_production_ids, *order.picking_ids] if r.priority == "1")
    return {
        "base": None,
        "addon": queries,
        "value": queries,
        "note": f"{n_mos} MOs, {n_pickings} pickings; {urgent} urgent after the write; {seconds:.2f} s",
    }


def bench_sla(db, scale):
    with db.env() as env:
        need_model(env, "fulfilment.ticket", methods=("_cron_sla_check",))
        if not _ticket_table_exists(env.cr):
            raise Unavailable(f"{NOT_AVAILABLE}: table fulfilment_ticket")
        fixture(env, scale)
    breached = scale["tickets_breached"]
    times, notes = {}, []
    for size in ("tickets_small", "tickets_large"):
        total = scale[size]
        log(f"  {db.name}: {total} tickets")
        reset_tickets(db, total, breached)
        runs = []
        with db.env() as env:
            Ticket = env["fulfilment.ticket"]
            for rep in range(scale["reps"] + 1):
                with undone(env):
                    _q, seconds = measure(env, Ticket._cron_sla_check)
                    done = Ticket.search_count(
                        [("name", "=like", TICKET_PREFIX + "%"), ("sla_state", "=", "breached")]
                    )
                    paused = (
                        Ticket.search_count(
                            [("name", "=like", TICKET_PREFIX + "%"), ("state", "=", "waiting")]
                        )
                        if "waiting" in dict(Ticket._fields["state"].selection)
                        else 0
                    )
                if rep or seconds > SLOW * BUDGETS["sla_cron_seconds_100k"][0]:
                    runs.append(seconds)
                if seconds > SLOW * BUDGETS["sla_cron_seconds_100k"][0]:
                    break  # far over budget: one run shows it, more would only make the bench long
            times[size] = median(runs)
        if done != breached:
            raise RuntimeError(
                f"the SLA pass left {done} of the {breached} overdue tickets breached: "
                "the generated tickets do not fit the ticket model (see generate_tickets)"
            )
        notes.append(
            f"{total} ({paused} waiting for the customer): {', '.join(f'{t:.2f}' for t in runs)} s, "
            f"{done} breached after the pass"
        )
    return {
        "sla_cron_seconds_100k": {
            "base": None,
            "addon": round(times["tickets_large"], 3),
            "value": times["tickets_large"],
            "note": "; ".join(notes),
        },
        "sla_cron_scaling": {
            "base": None,
            "addon": round(times["tickets_large"], 3),
            "value": times["tickets_large"] / times["tickets_small"],
            "note": f"{times['tickets_small']:.3f} s at {scale['tickets_small']}, "
            f"{times['tickets_large']:.3f} s at {scale['tickets_large']}",
        },
    }


def _change_order(env, scale):
    """The confirmed order of change_lines lines (every tenth an MTO pump) the change measures use."""
    fx = fixture(env, scale)
    n = scale["change_lines"]
    products = fx["stocked"] * (n // 4 + 1)
    lines = [(fx["pump"] if i % 10 == 9 else products[i], 2) for i in range(n)]
    order = env["sale.order"].create(order_vals(fx, 1, lines=lines))
    order.action_confirm()
    env.flush_all()
    return order


def bench_change(dbs, scale):
    """The apply of a quantity change on every line, and stock Odoo's own way to make the same
    edits (writing the confirmed order's lines), interleaved in one run."""
    from odoo import Command

    n = scale["change_lines"]
    runs, stock_runs = [], []
    with dbs["addon"].env() as env, dbs["base"].env() as base_env:
        CR = need_model(
            env,
            "fulfilment.change.request",
            fields=("order_id", "change_type", "line_ids", "state"),
            methods=("action_submit", "action_apply"),
        )
        need_model(env, "fulfilment.change.request.line", fields=("sale_line_id", "new_qty"))
        order = _change_order(env, scale)
        stock_order = _change_order(base_env, scale)
        for rep in range(scale["reps"] + 1):
            with undone(env):
                # Measure the apply itself: no approval rules (the shipped two-step rules off).
                env["fulfilment.review.rule"].search([("applies_to", "=", "change_request")]).active = False
                change = CR.create(
                    {
                        "order_id": order.id,
                        "change_type": "quantity",
                        "reason": "Bench: the customer needs one more of everything",
                        "line_ids": [
                            Command.create({"sale_line_id": line.id, "new_qty": line.product_uom_qty + 1})
                            for line in order.order_line
                        ],
                    }
                )
                change.action_submit()
                if change.state != "approved":
                    # Approve whatever the submit still opened.
                    env.flush_all()
                    env.cr.execute(
                        "UPDATE fulfilment_change_request SET state = 'approved' WHERE id = %s", [change.id]
                    )
                    change.invalidate_recordset()
                _q, seconds = measure(env, change.action_apply)
                changed = sum(1 for line in order.order_line if line.product_uom_qty == 3)
            with undone(base_env):
                edits = [
                    Command.update(line.id, {"product_uom_qty": line.product_uom_qty + 1})
                    for line in stock_order.order_line
                ]
                _q, stock_seconds = measure(
                    base_env, lambda edits=edits: stock_order.write({"order_line": edits})
                )
                stock_changed = sum(1 for line in stock_order.order_line if line.product_uom_qty == 3)
            if rep or seconds > SLOW * BUDGETS["change_apply_seconds_100_lines"][0]:
                runs.append(seconds)
                stock_runs.append(stock_seconds)
            if seconds > SLOW * BUDGETS["change_apply_seconds_100_lines"][0]:
                break
    apply, stock = median(runs), median(stock_runs)
    return {
        "change_apply_seconds_100_lines": {
            "base": None,
            "addon": round(apply, 3),
            "value": apply,
            "note": f"{', '.join(f'{t:.2f}' for t in runs)} s; {changed} of {n} lines changed",
        },
        "change_apply_vs_stock_ratio": {
            "base": round(stock, 3),
            "addon": round(apply, 3),
            "value": apply / stock,
            "note": f"stock line write {', '.join(f'{t:.2f}' for t in stock_runs)} s; "
            f"{stock_changed} of {n} lines changed",
        },
    }


def bench_rule_change(db, scale):
    """Saving a rule while many quotations are open; a quotation must still read its new status."""
    n = scale["rule_quotations"]
    with db.env() as env:
        need_model(env, "fulfilment.review.rule", fields=("min_amount", "group_id"))
        fx = fixture(env, scale)
        group = env.ref("order_fulfilment.group_review_production")
        runs = []
        with undone(env):
            quotation = env["sale.order"].create(order_vals(fx, 0))
            env.flush_all()
            clone_rows(
                env.cr,
                [("sale_order", quotation.ids), ("sale_order_line", quotation.order_line.ids)],
                n - 1,
                {"sale_order": {"name": "'BQ' || lpad(m.copy::text, 6, '0')"}},
            )
            env.cr.execute("ANALYZE sale_order")
            for rep in range(scale["reps"]):
                vals = {"name": f"Bench rule {rep}", "group_id": group.id, "min_amount": 1}
                _q, seconds = measure(env, lambda vals=vals: env["fulfilment.review.rule"].create(vals))
                runs.append(seconds)
            env.invalidate_all()
            status = quotation.web_read({"review_state": {}})[0]["review_state"]
    return {
        "base": None,
        "addon": round(median(runs), 3),
        "value": median(runs),
        "note": f"{', '.join(f'{t:.2f}' for t in runs)} s; {n} open quotations; one then reads {status!r}",
    }


def bench_at_risk(db, scale):
    with db.env() as env:
        need_model(env, "sale.order", fields=("fulfilment_at_risk",))
        SaleOrder = env["sale.order"]
        runs = []
        for rep in range(scale["reps"] + 2):
            env.invalidate_all()
            start = time.perf_counter()
            found = SaleOrder.search([("fulfilment_at_risk", "=", True)])
            seconds = time.perf_counter() - start
            if rep:
                runs.append(seconds)
        total = SaleOrder.search_count([("state", "=", "sale")])
    return {
        "base": None,
        "addon": round(median(runs), 4),
        "value": median(runs),
        "note": f"{len(found)} at risk among {total} confirmed orders",
    }


# Work centres of the feasible-date plant; the quotation's BoMs use the first four.
FEASIBLE_WORKCENTERS = 20
# The planned work orders fill this many days ahead, at the 5,000 scale; 10 x more are planned
# 10 x further ahead (the plant's load per day stays the same).
FEASIBLE_DAYS = 60


def _feasible_plant(env, scale):
    """Work centres, 20 finished products of two BoM levels, and the quotation (ORM)."""
    from odoo import Command

    fx = fixture(env, scale)
    workcenters = env["mrp.workcenter"].create(
        [{"name": f"Bench work centre {i:02d}"} for i in range(FEASIBLE_WORKCENTERS)]
    )
    Product = env["product.product"]
    Bom = env["mrp.bom"]
    finished = []
    for i in range(scale["feasible_lines"]):
        sub, top = Product.create(
            [
                {"name": f"Bench sub-assembly {i:02d}", "is_storable": True},
                {"name": f"Bench assembly {i:02d}", "is_storable": True, "list_price": 100.0},
            ]
        )

        def operation(name, workcenter, minutes):
            return Command.create(
                {
                    "name": name,
                    "workcenter_id": workcenter.id,
                    "time_mode": "manual",
                    "time_cycle_manual": minutes,
                }
            )

        Bom.create(
            [
                {
                    "product_tmpl_id": sub.product_tmpl_id.id,
                    "bom_line_ids": [Command.create({"product_id": fx["component"].id, "product_qty": 2})],
                    "operation_ids": [operation("Machining", workcenters[i % 4], 30)],
                },
                {
                    "product_tmpl_id": top.product_tmpl_id.id,
                    "bom_line_ids": [
                        Command.create({"product_id": sub.id, "product_qty": 1}),
                        Command.create({"product_id": fx["component"].id, "product_qty": 1}),
                    ],
                    "operation_ids": [
                        operation("Assembly", workcenters[(i + 1) % 4], 20),
                        operation("Testing", workcenters[(i + 2) % 4], 10),
                    ],
                },
            ]
        )
        finished.append(top)
    order = env["sale.order"].create(order_vals(fx, 2, lines=[(product, 2) for product in finished]))
    # One real planned manufacturing order: the template of the work orders cloned below.
    production = env["mrp.production"].create({"product_id": finished[0].id, "product_qty": 1})
    production.action_confirm()
    production.button_plan()
    env.flush_all()
    return order, workcenters, production.workorder_ids[:1]


def _plan_workorders(env, workcenters, template, count, days):
    """count planned work orders of 2 hours (a resource leave each, as Odoo plans them), spread
    evenly over the work centres and the next days: two INSERT ... SELECT."""
    cr = env.cr
    per_workcenter = count // len(workcenters)
    step_hours = days * 24.0 / per_workcenter
    resources = [wc.resource_id.id for wc in workcenters]
    cr.execute(
        """
        INSERT INTO resource_calendar_leaves
               (name, calendar_id, company_id, resource_id, date_from, date_to, time_type,
                create_uid, write_uid, create_date, write_date)
        SELECT 'Bench work order ' || g, l.calendar_id, l.company_id, (%(resources)s::int[])[1 + g %% %(n)s],
               date_trunc('hour', now() AT TIME ZONE 'UTC') + (g / %(n)s) * %(step)s * INTERVAL '1 hour',
               date_trunc('hour', now() AT TIME ZONE 'UTC')
                   + ((g / %(n)s) * %(step)s + 2) * INTERVAL '1 hour',
               'other', 1, 1, now(), now()
          FROM resource_calendar_leaves l, generate_series(0, %(count)s - 1) g
         WHERE l.id = %(leave)s
        """,
        {
            "resources": resources,
            "n": len(resources),
            "step": step_hours,
            "count": count,
            "leave": template.leave_id.id,
        },
    )
    columns = [c for c in _columns(cr, "mrp_workorder") if c not in ("leave_id", "workcenter_id", "name")]
    cr.execute(
        f"""
        INSERT INTO mrp_workorder (leave_id, workcenter_id, name, {", ".join(columns)})
        SELECT l.id, wc.id, l.name, {", ".join(f"t.{c}" for c in columns)}
          FROM resource_calendar_leaves l
          JOIN mrp_workcenter wc ON wc.resource_id = l.resource_id
          JOIN mrp_workorder t ON t.id = %s
         WHERE l.name LIKE 'Bench work order %%'
        """,
        [template.id],
    )
    env.invalidate_all()


def bench_feasible(db, scale):
    """The earliest feasible date of a quotation of two-level BoMs, with the plant's load."""
    results = {}
    with db.env() as env:
        need_model(env, "sale.order", methods=("fulfilment_get_feasible",))
        with undone(env):
            order, workcenters, template = _feasible_plant(env, scale)
            for size in ("feasible_workorders", "feasible_workorders_large"):
                count = scale[size]
                days = FEASIBLE_DAYS * count // scale["feasible_workorders"]
                with undone(env):
                    _plan_workorders(env, workcenters, template, count, days)
                    env.cr.execute("ANALYZE resource_calendar_leaves")
                    runs, queries = [], None
                    for rep in range(scale["reps"] + 1):
                        env.invalidate_all()
                        queries, seconds = measure(env, order.fulfilment_get_feasible)
                        if rep:
                            runs.append(seconds)
                    result = order.fulfilment_get_feasible()
                results[size] = (median(runs), queries, result)
    small, large = results["feasible_workorders"], results["feasible_workorders_large"]
    note = (
        f"{scale['feasible_workorders']} work orders: {small[0]:.3f} s, {small[1]} queries, feasible "
        f"{small[2]['date']}; {scale['feasible_workorders_large']}: {large[0]:.3f} s, {large[1]} queries, "
        f"feasible {large[2]['date']}"
    )
    return {
        "feasible_seconds_5k_wo": {
            "base": None,
            "addon": round(small[0], 4),
            "value": small[0],
            "note": note,
        },
        "feasible_queries": {"base": None, "addon": small[1], "value": small[1]},
        "feasible_scaling": {"base": None, "addon": round(large[0], 4), "value": large[0] / small[0]},
    }


def bench_review_reminder(db, scale):
    """One reminder pass (fulfilment.review._cron_remind) over N pending reviews, all due.

    One quotation gets its review through the ORM (a rule that reminds; its reviewers' to-dos
    made by the review engine); the quotation, its line, its review and the to-dos are then
    copied with SQL, each review pointing to its own quotation, and every reminder is made due
    an hour ago. The pass is timed inside a rolled-back savepoint; the note says how many
    reviews it reminded and how many to-dos it touched.
    """
    n = scale["reminder_reviews"]
    with db.env() as env:
        Review = need_model(
            env, "fulfilment.review", fields=("reminder_next", "reminder_count"), methods=("_cron_remind",)
        )
        need_model(env, "fulfilment.review.rule", fields=("reminder_hours", "reminder_max"))
        fx = fixture(env, scale)
        group = env.ref("order_fulfilment.group_review_production")
        runs = []
        with undone(env):
            env["fulfilment.review.rule"].search([]).active = False
            reviewers = env["res.users"].create(
                [{"name": f"Bench planner {i}", "login": f"bench_planner_{i}"} for i in range(2)]
            )
            group.users = [(4, user.id) for user in reviewers]
            env["fulfilment.review.rule"].create(
                {"name": "Bench reminders", "group_id": group.id, "reminder_hours": 2.0, "reminder_max": 3}
            )
            quotation = env["sale.order"].create(order_vals(fx, 0, lines=[(fx["pump"], 1)]))
            quotation.action_request_review()
            review = quotation.review_ids
            activities = env["mail.activity"].search([("fulfilment_review_id", "=", review.id)])
            if review.state != "pending" or not review.reminder_next or not activities:
                raise RuntimeError("the review of the template quotation does not remind: see the rule")
            env.flush_all()
            # Each copied review and to-do points to its own copy of the quotation.
            mapped = (
                "(SELECT b.new_id FROM bench_map b"
                " WHERE b.tbl = 'sale_order' AND b.old_id = t.res_id AND b.copy = m.copy)"
            )
            clone_rows(
                env.cr,
                [
                    ("sale_order", quotation.ids),
                    ("sale_order_line", quotation.order_line.ids),
                    ("fulfilment_review", review.ids),
                    ("mail_activity", activities.ids),
                ],
                n - 1,
                {
                    "sale_order": {"name": "'BR' || lpad(m.copy::text, 6, '0')"},
                    "fulfilment_review": {"res_id": mapped},
                    "mail_activity": {"res_id": mapped},
                },
            )
            env.cr.execute(
                "UPDATE fulfilment_review SET reminder_next = now() at time zone 'UTC' - interval '1 hour' "
                "WHERE rule_id = %s",
                [review.rule_id.id],
            )
            for table in ("sale_order", "fulfilment_review", "mail_activity"):
                env.cr.execute(f"ANALYZE {table}")
            env.invalidate_all()
            due = Review.search_count([("reminder_next", "<=", env.cr.now()), ("state", "=", "pending")])
            for rep in range(scale["reps"] + 1):
                with undone(env):
                    _q, seconds = measure(env, Review._cron_remind)
                    reminded = Review.search_count(
                        [("rule_id", "=", review.rule_id.id), ("reminder_count", "=", 1)]
                    )
                    touched = env["mail.activity"].search_count(
                        [
                            ("fulfilment_review_id.rule_id", "=", review.rule_id.id),
                            ("summary", "like", "Reminder 1"),
                        ]
                    )
                if rep or seconds > SLOW * BUDGETS["review_reminder_seconds_10k"][0]:
                    runs.append(seconds)
                if seconds > SLOW * BUDGETS["review_reminder_seconds_10k"][0]:
                    break
    if reminded != n:
        raise RuntimeError(f"the pass reminded {reminded} of the {n} due reviews ({due} due before it)")
    return {
        "base": None,
        "addon": round(median(runs), 3),
        "value": median(runs),
        "note": f"{', '.join(f'{t:.2f}' for t in runs)} s; {reminded} of {n} reviews reminded, "
        f"{touched} reviewers' to-dos",
    }


BENCH_MAIL = """Return-Path: <{sender}>
To: {to}
From: "Bench buyer {i}" <{sender}>
Subject: {subject}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit
Date: Mon, 02 Mar 2026 08:00:00 +0800
Message-ID: <bench-mail-{i}@example.net>

The pump of order {order} leaks at the seal. Please send someone.
"""


def bench_mail_gateway(db, scale):
    """New e-mails to the after-sales alias turned into tickets (mail gateway, message_new with the
    customer match, the order reference in the subject and the acknowledgement), at two sizes."""
    small, large = scale["mail_small"], scale["mail_large"]
    with db.env() as env:
        need_model(env, "res.company", fields=("fulfilment_aftersales_alias_id",))
        need_model(env, "fulfilment.ticket", methods=("message_new",))
        fx = fixture(env, scale)
        # The acknowledgements are queued (the mail cron sends them), as the gateway's are when
        # there are many: no SMTP connection in the measure.
        env = env(context=dict(env.context, mail_notify_force_send=False))
        company = env.company
        if not company.alias_domain_id:
            company.alias_domain_id = env["mail.alias.domain"].create({"name": "bench.example.com"})
        company._fulfilment_set_aftersales_alias("bench-service")
        to = company.fulfilment_aftersales_alias_id.alias_full_name
        # The generated orders are all of the first customer: every other e-mail is from that
        # customer (its order is linked), the others from other customers naming an order that is
        # not theirs (looked up, not linked).
        customers = fx["customers"]
        order_names = (
            env["sale.order"]
            .search([("partner_id", "=", customers[0].id)], limit=large + 2 * small, order="id")
            .mapped("name")
        )

        def mails(start, count):
            result = []
            for i in range(start, start + count):
                customer = customers[0] if i % 2 == 0 else customers[i % len(customers)]
                order = order_names[i % len(order_names)]
                result.append(
                    BENCH_MAIL.format(
                        i=i, sender=customer.email, to=to, order=order, subject=f"Order {order}: pump leaking"
                    )
                )
            return result

        def process(messages):
            Thread = env["mail.thread"].sudo()
            return [Thread.message_process(None, message) for message in messages]

        Ticket = env["fulfilment.ticket"]
        with undone(env):
            process(mails(0, small))  # warm the caches
        with undone(env):
            batch = mails(small, small)
            q_small, t_small = measure(env, lambda: process(batch))
            linked = Ticket.search_count([("description", "=like", "Order %"), ("order_id", "!=", False)])
        with undone(env):
            batch = mails(2 * small, large)
            q_large, t_large = measure(env, lambda: process(batch))
            opened = Ticket.search_count([("description", "=like", "Order %")])
    if opened != large:
        raise RuntimeError(f"{opened} tickets opened for {large} e-mails")
    return scaling(
        small,
        large,
        q_small,
        q_large,
        f"{q_small} queries ({q_small / small:.1f} per e-mail, {t_small / small * 1000:.1f} ms) for "
        f"{small} e-mails, {q_large} ({q_large / large:.1f} per e-mail, {t_large / large * 1000:.1f} ms) "
        f"for {large}; {linked} of {small} linked to their order",
    )


def _deliver_flow(env, vals):
    """Create and confirm the orders, produce their MTO pumps, deliver everything."""
    orders = env["sale.order"].create(vals)
    orders.action_confirm()
    productions = orders.mrp_production_ids
    productions.action_assign()
    productions.button_mark_done()
    pickings = orders.picking_ids.filtered(lambda picking: picking.picking_type_code == "outgoing")
    pickings.action_assign()
    pickings.move_ids.picked = True
    pickings.button_validate()
    if any(order.state != "sale" for order in orders) or any(mo.state != "done" for mo in productions):
        raise RuntimeError("an order was not confirmed, or its manufacturing order not done")
    if any(picking.state != "done" for picking in pickings):
        raise RuntimeError(
            "a delivery was not validated: "
            + ", ".join(f"{p.name} {p.state}" for p in pickings if p.state != "done")
        )
    return len(productions), len(pickings)


def bench_deliver(dbs, scale):
    """Create, confirm, produce and deliver N orders of 5 lines in both databases, no control point.

    As the confirmation: chunks of `deliver_chunk` orders, each in its own rolled-back
    transaction, alternating between the databases chunk by chunk; per chunk one create, one
    action_confirm, one button_mark_done of the chunk's MOs (the MTO pump of each order) and one
    button_validate of its deliveries (reserved, all picked). Query counts vary by a few per
    thousand from run to run: one repetition after a warm-up chunk in each database.
    """
    n, chunk = scale["deliver_orders"], scale["deliver_chunk"]
    totals = {name: [0, 0.0] for name in dbs}
    made = {name: [0, 0] for name in dbs}

    def run_chunk(name, start, size):
        with dbs[name].env() as env:
            if "fulfilment.quality.point" in env and env["fulfilment.quality.point"].search_count([]):
                raise RuntimeError(f"{dbs[name].name} has control points: this measure needs none")
            fx = fixture(env, scale)
            vals = [order_vals(fx, i) for i in range(start, start + size)]
            counts = []
            queries, seconds = measure(env, lambda: counts.append(_deliver_flow(env, vals)))
            return queries, seconds, counts[0]

    for name in dbs:  # warm-up: registry caches
        run_chunk(name, 0, min(chunk, 5))
    for k, start in enumerate(range(0, n, chunk)):
        for name in ("base", "addon") if k % 2 == 0 else ("addon", "base"):
            queries, seconds, (productions, pickings) = run_chunk(name, start, min(chunk, n - start))
            totals[name][0] += queries
            totals[name][1] += seconds
            made[name][0] += productions
            made[name][1] += pickings
    (base_q, base_t), (addon_q, addon_t) = totals["base"], totals["addon"]
    log(
        f"  deliver {n} orders: base {base_q} queries {base_t:.1f} s, addon {addon_q} queries {addon_t:.1f} s"
    )
    return {
        "base": base_q,
        "addon": addon_q,
        "value": addon_q / base_q,
        "note": f"queries per order: base {base_q / n:.1f}, addon {addon_q / n:.1f}; "
        f"{made['addon'][0]} MOs done and {made['addon'][1]} deliveries validated in each database; "
        f"base {base_t:.1f} s, addon {addon_t:.1f} s",
    }


QUALITY_ITEMS = [
    {"name": "Hydrostatic test: no leak at 15 bar", "kind": "passfail", "serious": True},
    {"name": "Flow at the duty point", "kind": "measure", "unit": "m3/h", "min_value": 48, "max_value": 55},
    {"name": "Noise at 1 m", "kind": "measure", "unit": "dB(A)", "min_value": 0, "max_value": 75},
    {"name": "Nameplate and paint", "kind": "passfail"},
]


def bench_quality_checks(db, scale):
    """The inspections of finished MOs, created as when the MOs are marked done, at two sizes.

    In a rolled-back transaction: 2 x small + large MOs of the (untracked) pump are marked done
    with no control point, then a control point of 4 items is put on the pump. Then the hook
    that runs when finished goods are done (the finished moves'
    _fulfilment_quality_create_production_checks: one inspection per MO, its items, the
    sequence, the frequency) is measured on `small` MOs (after a warm-up on `small` others) and
    on `large` MOs, each rolled back, the cache emptied before each. The queries are the same at
    every repetition; the times in the note are the medians of `reps` repetitions.
    """
    from odoo import Command

    small, large = scale["quality_small"], scale["quality_large"]
    with db.env() as env:
        Point = need_model(env, "fulfilment.quality.point", fields=("operation", "item_ids"))
        need_model(env, "stock.move", methods=("_fulfilment_quality_create_production_checks",))
        Check = env["fulfilment.quality.check"]
        fx = fixture(env, scale)
        pump = fx["pump"]
        with undone(env):
            productions = env["mrp.production"].create(
                [{"product_id": pump.id, "product_qty": 1} for __ in range(2 * small + large)]
            )
            productions.action_confirm()
            productions.action_assign()
            productions.button_mark_done()
            if any(mo.state != "done" for mo in productions):
                raise RuntimeError("the manufacturing orders of the measure were not done")
            Point.create(
                {
                    "name": "Bench final inspection",
                    "operation": "production",
                    "product_ids": [Command.set(pump.ids)],
                    "item_ids": [Command.create(dict(item)) for item in QUALITY_ITEMS],
                }
            )
            env.flush_all()
            warm, few, many = productions[:small], productions[small : 2 * small], productions[2 * small :]

            def inspections(mos):
                moves = mos.move_finished_ids.filtered(lambda move: move.state == "done")
                return moves._fulfilment_quality_create_production_checks

            figures = {}
            for label, mos, reps in (
                ("warm", warm, 1),
                ("small", few, scale["reps"]),
                ("large", many, scale["reps"]),
            ):
                runs = []
                for __ in range(reps):
                    with undone(env):
                        hook = inspections(mos)
                        env.invalidate_all()
                        queries, seconds = measure(env, hook)
                        created = Check.search_count([("production_id", "in", mos.ids)])
                        if created != len(mos):
                            raise RuntimeError(f"{created} inspections created for {len(mos)} finished MOs")
                        runs.append(seconds)
                figures[label] = (queries, median(runs))
    (q_small, t_small), (q_large, t_large) = figures["small"], figures["large"]
    return scaling(
        small,
        large,
        q_small,
        q_large,
        f"{q_small} queries ({q_small / small:.1f} per MO, {t_small / small * 1000:.1f} ms) for "
        f"{small} MOs, {q_large} ({q_large / large:.1f} per MO, {t_large / large * 1000:.1f} ms) for "
        f"{large}; one inspection of {len(QUALITY_ITEMS)} items per MO",
    )


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def machine():
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    mem = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
    }


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return str(value)


def table(results):
    rows = [("key", "base", "addon", "value", "budget", "ok")]
    for key, (budget, _unit, _desc) in BUDGETS.items():
        r = results[key]
        ok = {True: "yes", False: "NO", None: "n/a"}[r["ok"]] if not r.get("error") else "ERROR"
        rows.append((key, fmt(r["base"]), fmt(r["addon"]), fmt(r["value"]), f"<= {budget}", ok))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {key}: {r['note']}" for key, r in results.items() if r.get("note")]
    return "\n".join(lines) + "\n\n" + "\n".join(notes)


def run(args):
    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "--log-level", args.log_level, "--http-port", "8174"])
    scale_name = "quick" if args.quick else "full"
    scale = dict(SCALES[scale_name])
    scale["review_factor"] = scale["review_large"] // scale["review_small"]
    scale["mail_factor"] = scale["mail_large"] // scale["mail_small"]
    scale["quality_factor"] = scale["quality_large"] // scale["quality_small"]
    if args.reps:
        scale["reps"] = args.reps
        # The confirmation ratio is a median of at least 5 interleaved repetitions.
        scale["confirm_reps"] = max(5, args.reps)
    started = time.time()
    host = machine()
    dbs = {"base": Database(args.base), "addon": Database(args.addon)}
    for db in dbs.values():
        with db.env(commit=True) as env:
            fixture(env, scale)
        ensure_orders(db, scale)

    results = {}

    def attempt(keys, fn, *fn_args):
        if args.only and not any(key.startswith(tuple(args.only.split(","))) for key in keys):
            skipped = {"base": None, "addon": None, "value": None, "note": "not run (--only)"}
            results.update({k: dict(skipped) for k in keys})
            return
        log(f"measuring {', '.join(keys)}")
        try:
            out = fn(*fn_args)
            if len(keys) == 1:
                out = {keys[0]: out}
        except Unavailable as e:
            out = {k: {"base": None, "addon": None, "value": None, "note": str(e)} for k in keys}
        except Exception as e:  # noqa: BLE001 - a failing measure is reported, the others still run
            traceback.print_exc()
            msg = f"error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            out = {k: {"base": None, "addon": None, "value": None, "note": msg, "error": True} for k in keys}
        results.update(out)

    attempt(["confirm_query_ratio", "confirm_time_ratio"], bench_confirm, dbs, scale)
    attempt(["review_request_scaling"], bench_review, dbs["addon"], scale)
    attempt(["rush_toggle_queries"], bench_rush, dbs["addon"], scale)
    attempt(["sla_cron_seconds_100k", "sla_cron_scaling"], bench_sla, dbs["addon"], scale)
    attempt(["change_apply_seconds_100_lines", "change_apply_vs_stock_ratio"], bench_change, dbs, scale)
    attempt(["rule_change_seconds_20k"], bench_rule_change, dbs["addon"], scale)
    attempt(["at_risk_search_seconds_20k"], bench_at_risk, dbs["addon"], scale)
    attempt(
        ["feasible_seconds_5k_wo", "feasible_queries", "feasible_scaling"],
        bench_feasible,
        dbs["addon"],
        scale,
    )
    attempt(["review_reminder_seconds_10k"], bench_review_reminder, dbs["addon"], scale)
    attempt(["mail_ticket_scaling"], bench_mail_gateway, dbs["addon"], scale)
    attempt(["deliver_query_ratio"], bench_deliver, dbs, scale)
    attempt(["quality_check_scaling"], bench_quality_checks, dbs["addon"], scale)

    failed = False
    for key, (budget, unit, desc) in BUDGETS.items():
        r = results[key]
        r["budget"] = budget
        r["unit"] = unit.format(**scale)
        r["measure"] = desc.format(**scale)
        r["ok"] = None if r["value"] is None else r["value"] <= budget
        if isinstance(r["value"], float):
            r["value"] = round(r["value"], 4)
        failed |= r["ok"] is False or bool(r.get("error"))

    commit = subprocess.run(
        ["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    report = {
        **{key: results[key]["value"] for key in BUDGETS},
        "ok": not failed,
        "scale": scale_name,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "seconds": round(time.time() - started),
        "databases": {"base": args.base, "addon": args.addon},
        "machine": host,
        "details": results,
    }
    out = args.output or os.path.join(HERE, "results-quick.json" if args.quick else "results.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    m = report["machine"]
    print(f"\nBenchmark ({scale_name}) {report['date']}, commit {commit}, {report['seconds']} s")
    load = m["load_average_at_start"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, load {load:.2f} at start\n")
    print(table(results))
    verdict = "BUDGET MISSED or ERROR." if failed else "All budgets met."
    print(f"\nWritten to {os.path.relpath(out)}. {verdict}")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument(
        "--base", default="bench_base", help="database with stock Odoo and the apps the addon depends on"
    )
    parser.add_argument("--addon", default="bench_addon", help="the same plus order_fulfilment")
    parser.add_argument("--quick", action="store_true", help="10x smaller, for development")
    parser.add_argument("--output", help="results file (default bench/results.json)")
    parser.add_argument("--reps", type=int, help="timed repetitions (default 3), e.g. 1 on a busy machine")
    parser.add_argument("--only", help="only the keys starting with these (comma-separated), e.g. sla,rush")
    parser.add_argument("--log-level", default="warn", help="Odoo's log level")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
