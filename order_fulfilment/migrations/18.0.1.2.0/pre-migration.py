"""18.0.1.2.0: the fields the addon adds to sale orders outside the public contract follow one
pattern (``fulfilment_``). Keep the values of the renamed stored fields."""

from odoo.tools import SQL

RENAMED = {
    "sale.order": [
        ("delivery_released_by_id", "fulfilment_released_by_id"),
        ("delivery_released_date", "fulfilment_released_date"),
    ],
}
# Also renamed, not stored: only the addon's own views name it.
RENAMED_IN_VIEWS = [("change_request_count", "fulfilment_change_request_count")]


def _column_exists(cr, table, column):
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
        [table, column],
    )
    return bool(cr.fetchone())


def migrate(cr, version):
    if not version:
        return
    for model, renames in RENAMED.items():
        table = model.replace(".", "_")
        for old, new in renames:
            if _column_exists(cr, table, old) and not _column_exists(cr, table, new):
                cr.execute(
                    SQL(
                        "ALTER TABLE %s RENAME COLUMN %s TO %s",
                        SQL.identifier(table),
                        SQL.identifier(old),
                        SQL.identifier(new),
                    )
                )
            cr.execute(
                "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
                [new, model, old],
            )
            cr.execute(
                """UPDATE ir_model_data SET name = %s
                    WHERE module = 'order_fulfilment' AND model = 'ir.model.fields' AND name = %s""",
                [f"field_{table}__{new}", f"field_{table}__{old}"],
            )
    # The addon's views still in the database name the old fields until they are loaded again,
    # and Odoo checks each view with the views that extend it: rename there first.
    for old, new in [pair for renames in RENAMED.values() for pair in renames] + RENAMED_IN_VIEWS:
        cr.execute(
            r"""UPDATE ir_ui_view
                   SET arch_db = regexp_replace(arch_db::text, %s, %s, 'g')::jsonb
                 WHERE id IN (SELECT res_id FROM ir_model_data
                               WHERE module = 'order_fulfilment' AND model = 'ir.ui.view')
                   AND arch_db::text ~ %s""",
            [rf"\m{old}\M", new, rf"\m{old}\M"],
        )
